/**
 * Agent sign-in: short-lived access tokens plus rotating refresh tokens with reuse detection. A login is one
 * refresh-token family; its access tokens carry the family id, so they die with it (sign-out, replay).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AgentSession } from '../contract/http.ts';
import { decoyHash, verifyPassword } from '../auth/passwords.ts';
import type { AgentClaims, TokenExpiry, TokenSigner } from '../auth/tokens.ts';
import { AppError } from './errors.ts';
import type { Limits } from './limits.ts';
import type { IdGenerator } from './ids.ts';
import type { AgentDirectory, AgentRecord, Notifier, Store } from './ports.ts';
import type { Clock } from '../domain/clock.ts';

export interface IssuedSession {
  session: AgentSession;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const badCredentials = () => new AppError('UNAUTHORIZED', 'Wrong email or password');

export class AuthService {
  constructor(
    private readonly store: Store,
    private readonly signer: TokenSigner,
    private readonly agents: AgentDirectory,
    private readonly clock: Clock,
    private readonly newId: IdGenerator,
    private readonly refreshTtlMs: number,
    private readonly limits: Limits,
    private readonly notifier: Pick<Notifier, 'loginEnded'>,
  ) {}

  /** The claims of an access token whose login has not ended: what every agent connection and request needs. */
  async authenticate(accessToken: unknown): Promise<AgentClaims & TokenExpiry> {
    const claims = this.signer.verifyAgent(accessToken);
    if (!(await this.store.refreshTokens.isLive(claims.sessionId, new Date(this.clock.now())))) {
      throw new AppError('UNAUTHORIZED', 'Session ended, sign in again');
    }
    return claims;
  }

  async login(email: string, password: string, ip: string): Promise<IssuedSession> {
    const account = email.trim().toLowerCase();
    await this.limits.take('loginPerIp', ip);
    await this.limits.take('loginFailure', account);
    const agent = await this.store.agents.findByEmail(account);
    // Verify against a decoy when the account is unknown, so timing does not reveal which emails exist.
    const valid = await verifyPassword(agent?.passwordHash ?? (await decoyHash()), password);
    if (!agent || !valid || !agent.active) throw badCredentials();
    await this.limits.reset('loginFailure', account);
    return this.issue(agent, this.newId());
  }

  async refresh(refreshToken: string | undefined): Promise<IssuedSession> {
    if (!refreshToken) throw new AppError('UNAUTHORIZED', 'Not signed in');
    const now = new Date(this.clock.now());
    const result = await this.store.refreshTokens.consume(hashToken(refreshToken), now);
    if (result.status === 'reused') {
      // A used token came back: it was stolen or replayed. End every session of that login.
      await this.endLogin(result.familyId, now);
      throw new AppError('UNAUTHORIZED', 'Session expired, sign in again');
    }
    if (result.status === 'invalid') throw new AppError('UNAUTHORIZED', 'Session expired, sign in again');
    const agent = await this.store.agents.findById(result.agentId);
    if (!agent || !agent.active) throw new AppError('UNAUTHORIZED', 'Account disabled');
    return this.issue(agent, result.familyId);
  }

  async logout(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    const now = new Date(this.clock.now());
    const result = await this.store.refreshTokens.consume(hashToken(refreshToken), now);
    if (result.status !== 'invalid') await this.endLogin(result.familyId, now);
  }

  private async endLogin(familyId: string, now: Date): Promise<void> {
    await this.store.refreshTokens.revokeFamily(familyId, now);
    this.notifier.loginEnded(familyId);
  }

  private async issue(agent: AgentRecord, familyId: string): Promise<IssuedSession> {
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(this.clock.now() + this.refreshTtlMs);
    await this.store.refreshTokens.create({ agentId: agent.id, familyId, tokenHash: hashToken(refreshToken), expiresAt: refreshExpiresAt });
    const access = this.signer.signAgent({ agentId: agent.id, role: agent.role, sessionId: familyId });
    return {
      session: { accessToken: access.token, expiresAt: access.expiresAt.toISOString(), agent: this.agents.dto(agent) },
      refreshToken,
      refreshExpiresAt,
    };
  }
}
