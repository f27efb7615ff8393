/** Who may use the admin API: a valid access token of a login not ended, of an agent still active and an admin (or any agent, for their own settings). */
import type { Request, RequestHandler } from 'express';
import type { AuthService } from '../app/auth.ts';
import { AppError } from '../app/errors.ts';
import type { AgentStore } from '../app/ports.ts';
import type { AgentClaims } from '../auth/tokens.ts';
import { route } from './errors.ts';

export interface AdminAuthDeps {
  auth: Pick<AuthService, 'authenticate'>;
  agents: AgentStore;
}

/** The middleware, and the admin's claims for each request it let through. */
export function requireAdmin(deps: AdminAuthDeps): { middleware: RequestHandler; claims: (req: Request) => AgentClaims } {
  return requireAgent(deps, { adminOnly: true });
}

/** The same for any active agent (their own settings), or admins only. */
export function requireAgent(deps: AdminAuthDeps, options: { adminOnly: boolean }): { middleware: RequestHandler; claims: (req: Request) => AgentClaims } {
  const admins = new WeakMap<Request, AgentClaims>();
  const middleware = route(async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match) throw new AppError('UNAUTHORIZED', 'Bearer access token required');
    const claims = await deps.auth.authenticate(match[1]);
    const agent = await deps.agents.findById(claims.agentId);
    // A bot is never issued a token; the check keeps its role out of what the routes see.
    if (!agent || !agent.active || agent.role === 'bot') throw new AppError('UNAUTHORIZED', 'Agent account is not active');
    if (options.adminOnly && agent.role !== 'admin') throw new AppError('FORBIDDEN', 'Admins only');
    admins.set(req, { ...claims, role: agent.role });
    next();
  });
  return { middleware, claims: (req) => admins.get(req)! };
}
