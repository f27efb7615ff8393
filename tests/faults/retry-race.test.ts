/**
 * A retry that overtakes its original: when an ack is late (a busy or locked database) or a connection
 * drops while a send is in flight, a correct client sends the same message again with the same clientId,
 * possibly while the server is still working on the first attempt. The contract says the retry returns the
 * stored message. Both attempts are sent together here, for a visitor's first message (which opens the
 * conversation) and for a later one; each must be stored once and both acks must name the same message.
 */
import { afterEach, expect, it } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { Teardown } from './support/bounded.ts';
import { publish, readDatabase } from './support/verify.ts';
import { World } from './support/world.ts';

const teardown = new Teardown();
afterEach(() => teardown.run());

it('stores a message once when its retry arrives while the original is still in progress', async () => {
  const world = await World.create(teardown, { agents: 1, capacity: 5 });
  await world.start();
  const { visitors } = await world.connect({ visitors: 1, agents: 1 });
  const visitor = visitors[0]!;
  const sendTwice = (payload: Record<string, unknown>) =>
    Promise.all([visitor.request<SendResult>('message:send', payload), visitor.request<SendResult>('message:send', payload)]);

  const first = { clientId: crypto.randomUUID(), body: 'hello' };
  const firstAcks = await sendTwice(first);
  const conversationId = firstAcks.find((a) => a.ok)?.data.conversation.id;
  const later = { clientId: crypto.randomUUID(), body: 'and again', conversationId };
  const laterAcks = await sendTwice(later);

  const db = readDatabase(world.databaseFile);
  const outcome = (clientId: string, acks: typeof firstAcks) => ({
    stored: db.byClientId.get(clientId)?.length ?? 0,
    conversations: new Set(db.byClientId.get(clientId)?.map((r) => r.conversationId)).size,
    ackedIds: new Set(acks.map((a) => (a.ok ? a.data.message.id : a.error.code))).size,
  });
  const result = { first: outcome(first.clientId, firstAcks), later: outcome(later.clientId, laterAcks) };
  publish('retry race', `sent 2 messages twice each: ${JSON.stringify(result)}`);
  const once = { stored: 1, conversations: 1, ackedIds: 1 };
  expect(result).toEqual({ first: once, later: once });
}, 60_000);
