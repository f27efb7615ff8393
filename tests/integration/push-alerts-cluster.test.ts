/**
 * Push subscriptions on two nodes of a cluster (one PostgreSQL schema, one Redis, both servers in this process):
 * each node answers "has this agent any push subscription?" from its own cache, so a subscription added through
 * one node must reach the other's cache before that node's next visitor-message alert. Skipped with a message
 * when PostgreSQL or Redis is missing (a failure under CI=true).
 */
import { randomUUID } from 'node:crypto';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import { clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, login, ok, startServer, type TestServer } from '../support/parley.ts';
import { dropSchema, postgresAvailable, throwawaySchema } from '../support/postgres.ts';
import { startPushReceiver, type PushReceiver } from '../support/push-receiver.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';

describe.skipIf(!postgresAvailable || !redisAvailable)('push subscriptions on a cluster of two nodes', { timeout: 60_000 }, () => {
  const { schema, url: databaseUrl } = throwawaySchema();
  // Still: a cache entry never ages out during the test, so only the word from the other node can refresh it.
  const clock = new ManualClock(Date.now());
  let nodeA: TestServer;
  let nodeB: TestServer;
  let receiver: PushReceiver;

  beforeAll(async () => {
    receiver = await startPushReceiver();
    const vapid = webpush.generateVAPIDKeys();
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      CLUSTER_NAME: `test-${randomUUID().slice(0, 8)}`,
      JWT_SECRET: randomUUID() + randomUUID(),
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    };
    nodeA = await startServer(env, 'sqlite', { clock }); // 'sqlite': no schema of its own; DATABASE_URL names the shared one
    nodeB = await startServer(env, 'sqlite', { clock });
  }, 60_000);

  afterAll(async () => {
    closeAllSockets();
    await nodeB?.close();
    await nodeA?.close();
    await receiver?.close();
    await dropSchema(schema);
  }, 60_000);

  it("pushes node A's next visitor message to an agent who subscribed through node B", async () => {
    const credentials = await createAgent(nodeA, `late-${randomUUID().slice(0, 6)}`);
    const { accessToken, agent } = await login(nodeB, credentials.email, credentials.password);
    await connectAgent(nodeA, credentials);
    const asked = vi.spyOn(nodeA.parley.pushSubscriptions, 'subscriptions');
    const heard = vi.spyOn(nodeA.parley.pushSubscriptions, 'forget');
    try {
      const visitor = await connectVisitor(nodeA);
      const send = (body: string, conversationId?: string) => ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body, ...(conversationId ? { conversationId } : {}) });
      const { conversationId } = (await send('before subscribing')).message;
      const assigned = async () => (await nodeA.parley.store.conversations.summary(conversationId))?.assignee?.id;
      await expect.poll(assigned, { timeout: 10_000 }).toBe(agent.id);
      await send('still before', conversationId);
      // Node A now holds "no subscriptions" for the agent, read before the subscription exists.
      await expect.poll(() => asked.mock.calls.some(([id]) => id === agent.id), { timeout: 10_000 }).toBe(true);
      const answers = asked.mock.calls.flatMap(([id], i) => (id === agent.id ? [asked.mock.results[i]!.value as Promise<unknown[]>] : []));
      expect(await Promise.all(answers)).toEqual(answers.map(() => []));

      const browser = receiver.subscribe();
      const saved = await fetch(`${nodeB.url}/api/agent/push-subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: browser.endpoint, keys: browser.keys, expirationTime: null }),
      });
      expect(saved.status).toBe(201);
      await expect.poll(() => heard.mock.calls, { timeout: 10_000 }).toContainEqual([{ agentId: agent.id, endpoint: browser.endpoint }]);

      await send('after subscribing', conversationId);
      await expect.poll(() => receiver.received.filter((r) => r.subscriptionId === browser.id).map((r) => r.payload), { timeout: 10_000 }).toEqual([
        { kind: 'visitorMessage', conversationId, siteId: nodeA.site.id, siteName: 'Shop', text: 'after subscribing' },
      ]);
    } finally {
      asked.mockRestore();
      heard.mockRestore();
    }
  });
});
