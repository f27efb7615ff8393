/**
 * The agent's session: a short-lived access token (kept in memory only) renewed through the httpOnly
 * refresh cookie, before it expires and whenever the server refuses it. A reload resumes the session
 * through the same cookie.
 */
import type { AcceptInviteRequest } from '../server/contract/admin.ts';
import type { AgentSession, HttpErrorBody, LoginRequest } from '../server/contract/http.ts';
import type { ErrorCode } from '../server/contract/errors.ts';

/** When a signed-in agent's refresh failed for a reason other than a refused cookie (network, 5xx). */
const REFRESH_RETRY_MS = 10_000;

export class AuthError extends Error {
  readonly code: ErrorCode | 'NETWORK';

  constructor(code: ErrorCode | 'NETWORK') {
    super(code);
    this.code = code;
  }
}

async function post(path: string, body?: LoginRequest | AcceptInviteRequest): Promise<AgentSession | null> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : null,
    });
  } catch {
    throw new AuthError('NETWORK');
  }
  if (!response.ok) {
    const error = (await response.json().catch(() => null)) as HttpErrorBody | null;
    throw new AuthError(error?.error.code ?? 'INTERNAL');
  }
  return response.status === 204 ? null : ((await response.json()) as AgentSession);
}

type Listener = (session: AgentSession | null) => void;

export class AgentAuth {
  #session: AgentSession | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refreshing: Promise<AgentSession | null> | null = null;
  readonly #listeners = new Set<Listener>();

  get session(): AgentSession | null {
    return this.#session;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async login(email: string, password: string): Promise<void> {
    this.#set(await post('/api/auth/login', { email, password }));
  }

  /** Sets the password of an invited agent with the token from their one-time link, and signs them in. */
  async acceptInvite(token: string, password: string): Promise<void> {
    this.#set(await post('/api/auth/invite/accept', { token, password }));
  }

  async logout(): Promise<void> {
    this.#set(null);
    await post('/api/auth/logout').catch(() => undefined); // signed out here either way
  }

  /**
   * A new access token from the refresh cookie; null (signed out) when the server refuses the cookie.
   * Concurrent callers share one request, so the refresh token is rotated once.
   */
  refresh(): Promise<AgentSession | null> {
    this.#refreshing ??= post('/api/auth/refresh')
      .then(
        (session) => this.#set(session),
        (error: unknown) => {
          if (error instanceof AuthError && error.code === 'UNAUTHORIZED') return this.#set(null);
          if (this.#session) this.#schedule(REFRESH_RETRY_MS);
          return this.#session;
        },
      )
      .finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  #set(session: AgentSession | null): AgentSession | null {
    const changed = (session === null) !== (this.#session === null) || session?.agent.id !== this.#session?.agent.id;
    this.#session = session;
    clearTimeout(this.#timer);
    // Renew at 80% of the token's remaining life.
    if (session) this.#schedule(Math.max(5_000, (Date.parse(session.expiresAt) - Date.now()) * 0.8));
    if (changed) for (const listener of this.#listeners) listener(session);
    return session;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.refresh(), delayMs);
  }
}
