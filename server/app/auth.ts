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
import { addressKey } from '../domain/address-key.ts';
import type { Clock } from '../domain/clock.ts';
import { accountWaitMs, forgetFailuresBefore } from '../domain/sign-in-slowdown.ts';

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

  /**
   * Failures lock the (account, address) pair, not the account, so nobody can lock the owner out from elsewhere;
   * failures of the account from every address slow down the addresses that have failed it themselves.
   */
  async login(email: string, password: string, ip: string): Promise<IssuedSession> {
    const account = email.trim().toLowerCase();
    const address = addressKey(ip);
    const pair = `${address} ${account}`; // the address never contains a space: the pair is unambiguous
    await this.limits.take('loginPerIp', address);
    const { fresh } = await this.limits.take('loginFailure', pair);
    const agent = await this.store.agents.findByEmail(account);
    if (agent && !fresh) await this.waitOutSlowdown(agent.id);
    // Verify against a decoy when the account is unknown, so timing does not reveal which emails exist.
    const valid = await verifyPassword(agent?.passwordHash ?? (await decoyHash()), password);
    if (agent && !valid) {
      const now = this.clock.now();
      await this.store.agents.recordSignInFailure(agent.id, new Date(now), new Date(forgetFailuresBefore(now)));
    }
    if (!agent || !valid || !agent.active) throw badCredentials();
    // Only the owner gets here: their sign-in ends the slow-down a typo or an attack began.
    await Promise.all([this.limits.reset('loginFailure', pair), this.store.agents.clearSignInFailures(agent.id)]);
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

  private async waitOutSlowdown(agentId: string): Promise<void> {
    const waitMs = accountWaitMs(await this.store.agents.signInFailures(agentId), this.clock.now());
    if (waitMs > 0) throw new AppError('RATE_LIMITED', 'Too many failed sign-ins for this account; please wait and try again', waitMs);
  }

  private async issue(agent: AgentRecord, familyId: string): Promise<IssuedSession> {
    // A bot's agent row has no usable password; whatever its hash, it never gets a session.
    if (agent.role === 'bot') throw badCredentials();
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
