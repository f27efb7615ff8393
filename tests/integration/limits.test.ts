import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPage } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { FLOOD_REFUSALS } from '../../server/domain/refusal-gate.ts';
import { io } from 'socket.io-client';
import type { ApiError } from '../../server/contract/errors.ts';
import { LIMITS } from '../../server/app/limits.ts';
import { ADMIN, ask, clientId, closeAllSockets, connectVisitor, createAgent, login, ok, SITE_ORIGIN, sleep, startServer, visitorSession, type TestServer } from '../support/parley.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT_SCALE: '1' });
});
afterEach(() => closeAllSockets());
afterAll(() => server.close());

describe('rate limits (as shipped)', () => {
  it('lets a visitor send a burst, then refuses with when to retry, keeping everything accepted; others are unaffected', async () => {
    const flooder = await connectVisitor(server);
    const first = await ok<SendResult>(flooder.socket, 'message:send', { clientId: clientId(), body: 'm0' });
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => ask(flooder.socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: `m${i + 1}` })),
    );
    const accepted = acks.filter((a) => a.ok).length;
    const refused = acks.filter((a) => !a.ok);
    expect(accepted).toBeGreaterThanOrEqual(18);
    expect(accepted).toBeLessThan(40);
    expect(refused[0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/too quickly/), retryAfterMs: expect.any(Number) } });
    const page = await ok<HistoryPage>(flooder.socket, 'history:get', { conversationId: first.conversation.id, limit: 100 });
    expect(page.messages).toHaveLength(accepted + 1);

    const bystander = await connectVisitor(server);
    expect((await ask(bystander.socket, 'message:send', { clientId: clientId(), body: 'hello' })).ok).toBe(true);
  });

  it('backs off sign-in attempts per account and address after five failures, even with the right password', async () => {
    const login = (email: string, password: string) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    for (let i = 0; i < 5; i++) expect((await login(ADMIN.email, 'wrong-password')).status).toBe(401);
    const locked = await login(ADMIN.email, ADMIN.password);
    expect(locked.status).toBe(429);
    expect(await locked.json()).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
    expect((await login('someone-else@example.com', 'x')).status).toBe(401); // other accounts are not locked
  });

  it('limits new conversations per network address', async () => {
    const results: boolean[] = [];
    for (let i = 0; i < 22; i++) {
      const visitor = await connectVisitor(server);
      results.push((await ask(visitor.socket, 'message:send', { clientId: clientId(), body: `new ${i}` })).ok);
      visitor.socket.disconnect();
    }
    // The first test already started two conversations from this address.
    expect(results.filter(Boolean)).toHaveLength(18);
    expect(results.slice(-1)).toEqual([false]);
  });

  it('charges the address only for conversations started: a message joining one, or repeating one stored, is not one', async () => {
    const own = await startServer({ RATE_LIMIT_SCALE: '1' });
    try {
      const visitor = await connectVisitor(own);
      const firstId = clientId();
      const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: firstId, body: 'hello' });
      // Without a conversation id, as a widget sends before its first answer: these join the open conversation.
      for (let i = 0; i < 12; i++) {
        const joined = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: `more ${i}` });
        expect(joined.conversation.id).toBe(first.conversation.id);
      }
      // And retries of the first, answered from storage.
      for (let i = 0; i < 5; i++) expect((await ok<SendResult>(visitor.socket, 'message:send', { clientId: firstId, body: 'hello' })).message.id).toBe(first.message.id);
      const started: boolean[] = [];
      for (let i = 0; i < LIMITS.conversationPerIp.burst; i++) {
        const other = await connectVisitor(own);
        started.push((await ask(other.socket, 'message:send', { clientId: clientId(), body: `new ${i}` })).ok);
        other.socket.disconnect();
      }
      // The first conversation took one of the address's tokens; nothing else did.
      expect(started.filter(Boolean)).toHaveLength(LIMITS.conversationPerIp.burst - 1);
      expect(started.at(-1)).toBe(false);
    } finally {
      closeAllSockets();
      await own.close();
    }
  });

  it('stops reading a visitor who keeps sending into the refusals, answers others meanwhile, then drops it', async () => {
    const flooder = await connectVisitor(server);
    const bystander = await connectVisitor(server);
    const dropped = new Promise<string>((resolve) => flooder.socket.on('disconnect', resolve));
    const answers: { ok: boolean; error?: { code: string } }[] = [];
    const sent = 2000;
    for (let i = 0; i < sent / 100; i++) {
      for (let j = 0; j < 100; j++) flooder.socket.emit('conversation:list', {}, (answer: (typeof answers)[number]) => answers.push(answer));
      await sleep(50);
    }

    // Unread: the burst and the refusals until it was called flooding are answered, the rest waits in buffers.
    expect(answers.length).toBeLessThan(sent / 2);
    expect(answers.filter((a) => !a.ok).length).toBeGreaterThanOrEqual(FLOOD_REFUSALS);
    expect((await ask(bystander.socket, 'conversation:list', {})).ok).toBe(true);

    // Then it is closed, unread: what it sent meanwhile is never answered.
    const answeredBefore = answers.length;
    expect(await dropped).toBe('io server disconnect');
    expect(answers.length).toBe(answeredBefore);
    expect(answers.filter((a) => !a.ok).every((a) => a.error?.code === 'RATE_LIMITED')).toBe(true);
  }, 30_000);

  it('refuses a visitor or an agent reconnecting in a loop at the handshake, with when to retry; others still connect', async () => {
    /** One handshake with `token`: null when admitted, else the typed refusal. */
    const handshake = (namespace: 'visitor' | 'agent', token: string) =>
      new Promise<ApiError | null>((resolve) => {
        const origin = namespace === 'visitor' ? SITE_ORIGIN : server.url;
        const socket = io(`${server.url}/${namespace}`, { transports: ['websocket'], auth: { token }, extraHeaders: { origin }, reconnection: false, forceNew: true });
        socket.on('connect', () => {
          socket.disconnect();
          resolve(null);
        });
        socket.on('connect_error', (error) => resolve((error as Error & { data: ApiError }).data));
      });
    // The admin's sign-ins are locked by the test above.
    const agentToken = async () => {
      const credentials = await createAgent(server, 'looper');
      return (await login(server, credentials.email, credentials.password)).accessToken;
    };
    const burst = { visitor: LIMITS.visitorConnect.burst, agent: LIMITS.agentConnect.burst };
    const loop = async (namespace: 'visitor' | 'agent', token: string) => {
      const outcomes: (ApiError | null)[] = [];
      for (let i = 0; i < burst[namespace] + 5; i++) outcomes.push(await handshake(namespace, token));
      return outcomes;
    };

    for (const [namespace, token, other] of [
      ['visitor', (await visitorSession(server)).token, (await visitorSession(server)).token],
      ['agent', await agentToken(), null],
    ] as const) {
      const outcomes = await loop(namespace, token);
      // The burst first (on a slow machine the bucket may refill one more now and then: one every 2 s).
      const firstRefused = outcomes.findIndex((o) => o !== null);
      expect(firstRefused, namespace).toBeGreaterThanOrEqual(burst[namespace]);
      expect(outcomes[firstRefused], namespace).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/Too many connections/), retryAfterMs: expect.any(Number) });
      if (other) expect(await handshake(namespace, other), 'another visitor').toBeNull();
    }
  });
});
