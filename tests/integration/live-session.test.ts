/**
 * The live session the widget frame and the console share, against the real server: one token renewal after
 * a refused handshake, the outbox put online once connected, catch-up past one page, and the typing notifier.
 *
 * The session connects to a path on the page's origin, as in the browser: `location` is the test server here,
 * and the Socket.IO manager for that origin is made first with the Origin header a browser would send.
 */
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentClientToServer, AgentServerToClient, SendResult, TypingEvent } from '../../server/contract/events.ts';
import { LiveSession, type Connection, type LiveSessionOptions } from '../../client/live-session.ts';
import { ADMIN, closeAllSockets, connectVisitor, login, next, ok, startServer, type TestServer } from '../support/parley.ts';

let server: TestServer | undefined;
let session: LiveSession<AgentServerToClient, AgentClientToServer> | undefined;

afterEach(async () => {
  session?.close();
  closeAllSockets();
  vi.unstubAllGlobals();
  await server?.close();
});

/** A server of its own for each test: Socket.IO keeps one manager per origin, so each test gets a new origin. */
async function serve(): Promise<TestServer> {
  server = await startServer();
  vi.stubGlobal('location', new URL(server.url));
  io(server.url, { transports: ['websocket'], extraHeaders: { origin: server.url } }).disconnect();
  return server;
}

/** An agent session whose token and renewal the test decides; records what it reports. */
function agentSession(token: () => string | undefined, renewToken: () => Promise<boolean>) {
  const seen: string[] = [];
  const options: LiveSessionOptions = {
    namespace: '/agent',
    token,
    renewToken: () => {
      seen.push('renew');
      return renewToken();
    },
    outbox: { online: () => seen.push('outbox online'), offline: () => seen.push('outbox offline') },
    connection: (state: Connection) => seen.push(state),
    connected: () => seen.push('connected'),
    disconnected: () => seen.push('disconnected'),
  };
  session = new LiveSession<AgentServerToClient, AgentClientToServer>(options);
  return seen;
}

const until = (seen: string[], what: string) => vi.waitFor(() => expect(seen).toContain(what), { timeout: 10_000 });

describe('live session', () => {
  it('renews a refused token once and connects with the new one; once connected the outbox goes online', async () => {
    const target = await serve();
    const { accessToken } = await login(target, ADMIN.email, ADMIN.password);
    let token = 'not-a-token';
    const seen = agentSession(
      () => token,
      async () => {
        token = accessToken;
        return true;
      },
    );
    await until(seen, 'outbox online');
    expect(seen).toEqual(['renew', 'online', 'connected', 'outbox online']);
  });

  it('a token refused again after its renewal makes the session unavailable, with no second renewal', async () => {
    await serve();
    const seen = agentSession(
      () => 'still-not-a-token',
      async () => true,
    );
    await until(seen, 'unavailable');
    expect(seen).toEqual(['renew', 'unavailable']);
  });

  it('catches a conversation up past one history page, and tells the visitor when the agent types and stops', async () => {
    const target = await serve();
    const visitor = await connectVisitor(target);
    const sent: SendResult[] = [];
    for (let i = 1; i <= 105; i++) sent.push(await ok<SendResult>(visitor.socket, 'message:send', { clientId: `c-${i}`, body: `m${i}` }));
    const conversationId = sent[0]!.conversation.id;
    const { accessToken } = await login(target, ADMIN.email, ADMIN.password);
    const seen = agentSession(
      () => accessToken,
      async () => false,
    );
    await until(seen, 'online');

    const all = await session!.historyAfter(conversationId, 0);
    const bodies = all.filter((m) => m.authorKind === 'visitor').map((m) => m.body);
    expect(bodies).toEqual(sent.map((_, i) => `m${i + 1}`));
    expect(all.map((m) => m.seq)).toEqual([...all.map((m) => m.seq)].sort((a, b) => a - b));
    const after = await session!.historyAfter(conversationId, sent[99]!.message.seq);
    expect(after.filter((m) => m.authorKind === 'visitor').map((m) => m.body)).toEqual(['m101', 'm102', 'm103', 'm104', 'm105']);

    const typing = next<TypingEvent>(visitor.socket, 'typing', (e) => e.typing);
    session!.draft(conversationId, 'Hello');
    expect(await typing).toMatchObject({ conversationId, typing: true });
    const stopped = next<TypingEvent>(visitor.socket, 'typing', (e) => !e.typing);
    session!.stopTyping(conversationId);
    expect(await stopped).toMatchObject({ conversationId, typing: false });
  });
});
