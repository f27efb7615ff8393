/** A message sent again with its clientId (after a lost answer) is answered from storage and costs no message token. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { LIMITS } from '../../server/app/limits.ts';
import { ask, clientId, closeAllSockets, connectVisitor, ok, startServer, type TestServer } from '../support/parley.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ RATE_LIMIT_SCALE: '1' });
});
afterEach(() => closeAllSockets());
afterAll(() => server.close());

const burst = LIMITS.visitorMessage.burst;

describe('retried messages and the message limit', () => {
  it('answers retries of stored messages from storage after the burst is spent, instead of refusing them', async () => {
    const { socket } = await connectVisitor(server);
    const first = await ok<SendResult>(socket, 'message:send', { clientId: clientId(), body: 'm0' });
    const conversationId = first.conversation.id;
    const sends = Array.from({ length: burst + 5 }, (_, i) => ({ conversationId, clientId: clientId(), body: `m${i + 1}` }));
    const acks = await Promise.all(sends.map((send) => ask<SendResult>(socket, 'message:send', send)));
    const stored = sends.filter((_, i) => acks[i]!.ok);
    expect(acks.some((a) => !a.ok)).toBe(true); // the burst is spent

    // Every accepted message, sent again (with and without its conversation): each answered with what was stored.
    const retries = await Promise.all(stored.map((send, i) => ask<SendResult>(socket, 'message:send', i % 2 ? send : { clientId: send.clientId, body: send.body })));
    expect(retries.map((r) => (r.ok ? r.data.message.clientId : r.error.code))).toEqual(stored.map((s) => s.clientId));
    expect(retries.map((r) => r.ok && r.data.message.id)).toEqual(acks.filter((a) => a.ok).map((a) => a.ok && a.data.message.id));
  });

  it('gives back the token a retry took while there were tokens left', async () => {
    const { socket } = await connectVisitor(server);
    const first = await ok<SendResult>(socket, 'message:send', { clientId: clientId(), body: 'm0' });
    const again = { conversationId: first.conversation.id, clientId: first.message.clientId, body: 'm0' };
    const retries = await Promise.all(Array.from({ length: burst - 1 }, () => ask<SendResult>(socket, 'message:send', again)));
    expect(retries.every((r) => r.ok && r.data.message.id === first.message.id)).toBe(true);

    // The retries cost nothing: the rest of the burst is still there for new messages.
    const sends = Array.from({ length: burst + 10 }, (_, i) => ask(socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: `n${i}` }));
    const accepted = (await Promise.all(sends)).filter((a) => a.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(burst - 1);
  });
});
