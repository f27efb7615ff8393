/**
 * The client's address behind a trusted proxy (TRUST_PROXY), the IPv6 /64 key, and the per-address cap on
 * open connections, with production limits (RATE_LIMIT_SCALE=1). A test stands in for the proxy: it connects
 * from 127.0.0.1 (TRUST_PROXY=loopback) and sends X-Forwarded-For as nginx builds it, the client's own claims
 * first and the address nginx saw last.
 */
import { Manager, io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../server/contract/errors.ts';
import { LIMITS } from '../../server/app/limits.ts';
import { CONNECTIONS_PER_ADDRESS } from '../../server/realtime/connection-cap.ts';
import { ADMIN, ask, clientId, closeAllSockets, SITE_ORIGIN, startServer, visitorSession, type TestServer } from '../support/parley.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ TRUST_PROXY: 'loopback', RATE_LIMIT_SCALE: '1' });
});
afterEach(() => closeAllSockets());
afterAll(() => server.close());

/** What nginx forwards for a client at `address` that sent its own X-Forwarded-For `claimed`. */
const forwardedFor = (address: string, claimed?: string) => ({ 'x-forwarded-for': claimed ? `${claimed}, ${address}` : address });

const signIn = (headers: Record<string, string>, email: string) =>
  fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email, password: 'wrong-password' }),
  });

/**
 * More sign-ins than the per-address burst, all at once (the bucket refills one every 3 s), each for another
 * account so that no account locks first; their statuses.
 */
function signInsBeyondBurst(headersFor: (attempt: number) => Record<string, string>) {
  const attempts = Array.from({ length: LIMITS.loginPerIp.burst + 5 }, (_, i) => signIn(headersFor(i), `nobody-${i}-${clientId()}@example.com`));
  return Promise.all(attempts.map(async (attempt) => (await attempt).status));
}

/** One visitor handshake to /visitor: null when admitted (and left open), else the typed refusal. */
function visitorHandshake(token: string, headers: Record<string, string>) {
  return new Promise<{ refused: ApiError | null; socket: ReturnType<typeof io> }>((resolve) => {
    const socket = io(`${server.url}/visitor`, { transports: ['websocket'], auth: { token }, extraHeaders: { origin: SITE_ORIGIN, ...headers }, reconnection: false, forceNew: true });
    socket.on('connect', () => resolve({ refused: null, socket }));
    socket.on('connect_error', (error) => resolve({ refused: (error as Error & { data: ApiError }).data, socket }));
  });
}

describe('client address behind a trusted proxy', () => {
  it('over HTTP, ignores the X-Forwarded-For entries a client prepends: the sign-in limit per address still hits it', async () => {
    const statuses = await signInsBeyondBurst((i) => forwardedFor('198.51.100.7', `10.9.8.${i}`));
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Another client behind the same proxy is not limited.
    expect((await signIn(forwardedFor('198.51.100.8'), 'someone@example.com')).status).toBe(401);
  });

  it('at the socket handshake, ignores prepended entries: the new-conversation limit per address still hits it', async () => {
    const outcomes: boolean[] = [];
    for (let i = 0; i <= LIMITS.conversationPerIp.burst; i++) {
      const { token } = await visitorSession(server);
      const { refused, socket } = await visitorHandshake(token, forwardedFor('198.51.100.20', `10.7.6.${i}`));
      expect(refused).toBeNull();
      outcomes.push((await ask(socket, 'message:send', { clientId: clientId(), body: `hello ${i}` })).ok);
      socket.disconnect();
    }
    expect(outcomes.slice(0, -1).every(Boolean)).toBe(true);
    expect(outcomes.at(-1)).toBe(false);
  });

  it('over HTTP as at the handshake, takes our own host from a trusted proxy: the console signs in through it', async () => {
    const behindProxy = { origin: 'https://chat.example.com', 'x-forwarded-host': 'chat.example.com', 'x-forwarded-proto': 'https' };
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...behindProxy },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const socket = io(`${server.url}/agent`, { transports: ['websocket'], auth: { token: accessToken }, extraHeaders: behindProxy, reconnection: false, forceNew: true });
    const refused = await new Promise<ApiError | null>((resolve) => {
      socket.on('connect', () => resolve(null));
      socket.on('connect_error', (error) => resolve((error as Error & { data: ApiError }).data));
    });
    socket.disconnect();
    expect(refused).toBeNull();
  });

  it('keys an IPv6 client by its /64: changing addresses inside it does not escape the limit, another /64 is apart', async () => {
    const statuses = await signInsBeyondBurst((i) => forwardedFor(`2001:db8:5:6::${(i + 1).toString(16)}`));
    expect(statuses).toContain(429);
    expect((await signIn(forwardedFor('2001:db8:5:7::1'), 'someone@example.com')).status).toBe(401);
  });
});

describe('connections', () => {
  it('refuses the connection over the cap per address, with a typed RATE_LIMITED, while another address connects', async () => {
    const crowded = forwardedFor('198.51.100.50');
    // Bare connections that join no namespace count as much as any.
    const managers = Array.from({ length: CONNECTIONS_PER_ADDRESS }, () =>
      new Manager(server.url, { transports: ['websocket'], extraHeaders: crowded, reconnection: false, autoConnect: false }));
    try {
      await Promise.all(managers.map((m) => new Promise<void>((resolve, reject) => m.open((err) => (err ? reject(err) : resolve())))));
      const { token } = await visitorSession(server);
      const over = await visitorHandshake(token, crowded);
      expect(over.refused).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      over.socket.disconnect();
      const elsewhere = await visitorHandshake(token, forwardedFor('198.51.100.51'));
      expect(elsewhere.refused).toBeNull();
      elsewhere.socket.disconnect();
    } finally {
      for (const m of managers) m.engine?.close();
    }
  });

  it('refuses the default namespace, which serves nothing', async () => {
    const { token } = await visitorSession(server);
    const socket = io(server.url, { transports: ['websocket'], auth: { token }, extraHeaders: { origin: SITE_ORIGIN }, reconnection: false, forceNew: true });
    const refused = await new Promise<ApiError | null>((resolve) => {
      socket.on('connect', () => resolve(null));
      socket.on('connect_error', (error) => resolve((error as Error & { data: ApiError }).data));
    });
    socket.disconnect();
    expect(refused).toMatchObject({ code: 'NOT_FOUND' });
  });
});
