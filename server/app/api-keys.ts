/**
 * API key use cases: create (the key shown once, only its SHA-256 kept), list, revoke, and authenticate a
 * Bearer key into a principal. A key acts as one agent (by default the admin who made it): every request
 * goes through that agent's use cases and rights, narrowed further by the key's scopes and site. So the
 * API has no rules of its own to drift from the console's.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyDTO, ApiScope, CreateApiKeyRequest, CreatedApiKey } from '../contract/api-keys.ts';
import type { Clock } from '../domain/clock.ts';
import { servesSite } from './access.ts';
import { AppError, notFound } from './errors.ts';
import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.ts';
import type { AgentRecord, AgentStore, SiteStore } from './ports.ts';
import type { Routing } from './routing-port.ts';

/** Who a request with a valid key is. */
export interface ApiPrincipal {
  keyId: string;
  agentId: string;
  scopes: ReadonlySet<ApiScope>;
  /** The one site the key reaches; null: every site its agent serves. */
  siteId: string | null;
}

/** `pk_` and 32 random bytes: too much entropy to guess, so a plain SHA-256 is enough to keep it. */
const KEY_FORMAT = /^pk_[A-Za-z0-9_-]{43}$/;
/** lastUsedAt is written at most this often per key: a busy key costs no write per request. */
const TOUCH_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export const toApiKeyDTO = (key: ApiKeyRecord): ApiKeyDTO => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  siteId: key.siteId,
  agentId: key.agentId,
  expiresAt: key.expiresAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  createdAt: key.createdAt.toISOString(),
});

export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly stores: { agents: AgentStore; sites: SiteStore },
    private readonly clock: Clock,
  ) {}

  /** `createdBy`: the admin creating it, whom the key acts as unless the request names another agent. */
  async create(req: CreateApiKeyRequest, createdBy: string): Promise<CreatedApiKey> {
    const agent = await this.stores.agents.findById(req.agentId ?? createdBy);
    if (!agent || !agent.active) throw new AppError('BAD_REQUEST', 'agentId: no active agent with this id');
    const siteId = req.siteId ?? null;
    if (siteId !== null) {
      if (!(await this.stores.sites.findById(siteId))) throw new AppError('BAD_REQUEST', 'siteId: no site with this id');
      if (!servesSite(agent, siteId)) throw new AppError('BAD_REQUEST', 'siteId: the agent does not serve this site');
    }
    const key = `pk_${randomBytes(32).toString('base64url')}`;
    const expiresAt = req.expiresInDays === undefined ? null : new Date(this.clock.now() + req.expiresInDays * DAY_MS);
    const scopes = [...new Set(req.scopes)];
    const stored = await this.keys.create({ name: req.name, scopes, siteId, agentId: agent.id, expiresAt, keyHash: hashKey(key) });
    return { id: stored.id, key, apiKey: toApiKeyDTO(stored) };
  }

  async list(): Promise<ApiKeyDTO[]> {
    return (await this.keys.list()).map(toApiKeyDTO);
  }

  async revoke(id: string): Promise<ApiKeyDTO> {
    const key = await this.keys.revoke(id, new Date(this.clock.now()));
    if (!key) throw notFound('API key');
    return toApiKeyDTO(key);
  }

  /** A malformed, unknown, revoked or expired key, or one whose agent left, is UNAUTHORIZED. */
  async authenticate(key: string): Promise<ApiPrincipal> {
    if (!KEY_FORMAT.test(key)) throw new AppError('UNAUTHORIZED', 'Malformed API key');
    const found = await this.keys.findByHash(hashKey(key));
    if (!found) throw new AppError('UNAUTHORIZED', 'Unknown API key');
    const now = this.clock.now();
    if (found.revokedAt) throw new AppError('UNAUTHORIZED', 'This API key was revoked');
    if (found.expiresAt && found.expiresAt.getTime() <= now) throw new AppError('UNAUTHORIZED', 'This API key has expired');
    const agent = await this.stores.agents.findById(found.agentId);
    if (!agent || !agent.active) throw new AppError('UNAUTHORIZED', 'The agent this API key acts as is not active');
    if (!found.lastUsedAt || now - found.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
      await this.keys.touch(found.id, new Date(now), new Date(now - TOUCH_EVERY_MS));
    }
    return { keyId: found.id, agentId: found.agentId, scopes: new Set(found.scopes), siteId: found.siteId };
  }
}

/** FORBIDDEN unless the key carries `scope`; `admin` carries every scope. */
export function requireScope(principal: ApiPrincipal, scope: ApiScope): void {
  if (!principal.scopes.has(scope) && !principal.scopes.has('admin')) throw new AppError('FORBIDDEN', `This API key lacks the ${scope} scope`);
}

/**
 * The agent a key acts as, as routing knows it (loaded if routing has not met them yet: an agent who never
 * connected a console); one deactivated since is refused.
 */
export async function actingAgent(routing: Pick<Routing, 'agent' | 'refreshAgent'>, principal: ApiPrincipal): Promise<AgentRecord> {
  const agent = routing.agent(principal.agentId) ?? (await routing.refreshAgent(principal.agentId));
  if (!agent || !agent.active) throw new AppError('UNAUTHORIZED', 'The agent this API key acts as is not active');
  return agent;
}

/** Reports, sites and agents are the admin console's: only a key acting as an admin reaches them. */
export async function requireAdminAgent(routing: Pick<Routing, 'agent' | 'refreshAgent'>, principal: ApiPrincipal): Promise<void> {
  if ((await actingAgent(routing, principal)).role !== 'admin') throw new AppError('FORBIDDEN', 'Only a key acting as an admin reaches reports, sites and agents');
}
