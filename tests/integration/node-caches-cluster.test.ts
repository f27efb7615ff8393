/**
 * What each node of a cluster keeps in its own cache (one PostgreSQL schema, one Redis, both servers in this
 * process): "has this agent any push subscription?", "which webhook endpoints does this site have?" and "does every
 * agent see this site whole?". A change made through one node must reach the other's cache before that node's next
 * event. Skipped with a message when
 * PostgreSQL or Redis is missing (a failure under CI=true).
 */
import { randomUUID } from 'node:crypto';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import type { WebhookSecretResponse } from '../../server/contract/webhooks.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import { ADMIN, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, login, nextAgentMessage, ok, startServer, type TestServer } from '../support/parley.ts';
import { dropSchema, postgresAvailable, throwawaySchema } from '../support/postgres.ts';
import { startPushReceiver, type PushReceiver } from '../support/push-receiver.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';

describe.skipIf(!postgresAvailable || !redisAvailable)('node caches on a cluster of two nodes', { timeout: 60_000 }, () => {
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

  it("sends node A's next message to the holders of a site whose agents, through node B, no longer see it whole", async () => {
    const cara = await createAgent(nodeA, `cara-${randomUUID().slice(0, 6)}`, 5);
    const caraOnB = await connectAgent(nodeB, cara);
    const visitor = await connectVisitor(nodeA);
    const send = (body: string, conversationId?: string) => ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body, ...(conversationId ? { conversationId } : {}) });
    const { conversationId } = (await send('before the change')).message;
    await expect.poll(async () => (await nodeA.parley.store.conversations.summary(conversationId))?.assignee?.id, { timeout: 10_000 }).toBe(caraOnB.agentId);
    // Node A takes the site as seen whole, and its still clock never ages that out.
    await expect.poll(() => nodeA.parley.siteVisibility.peek(nodeA.site.id), { timeout: 10_000 }).toBe(true);
    const heard = vi.spyOn(nodeA.parley.siteVisibility, 'forget');
    try {
      const closed = new Promise((resolve) => caraOnB.socket.once('disconnect', resolve));
      const { accessToken } = await login(nodeB, ADMIN.email, ADMIN.password);
      const res = await fetch(`${nodeB.url}/api/admin/sites/${nodeA.site.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ widgetSettings: { agentsSeeAll: false } }),
      });
      expect(res.status).toBe(200);
      await expect.poll(() => heard.mock.calls, { timeout: 10_000 }).toContainEqual([{ siteId: nodeA.site.id }]);
      await closed;

      // Cara's console opens again without the whole site: she hears her own conversation only as its holder.
      const caraAgain = await connectAgent(nodeB, cara);
      const caraHears = nextAgentMessage(caraAgain.socket, (m) => m.body === 'after the change');
      await send('after the change', conversationId);
      expect((await caraHears).conversationId).toBe(conversationId);
    } finally {
      heard.mockRestore();
    }
  });

  it("logs node A's next message for a webhook endpoint created through node B", async () => {
    const { accessToken } = await login(nodeB, ADMIN.email, ADMIN.password);
    const visitor = await connectVisitor(nodeA);
    const send = (body: string, conversationId?: string) => ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body, ...(conversationId ? { conversationId } : {}) });
    const { conversationId } = (await send('before the webhook')).message;
    // Node A now holds "no endpoints" for the site, and its still clock never ages that out.
    expect(await nodeA.parley.webhookEndpoints.get(nodeA.site.id)).toEqual([]);
    const heard = vi.spyOn(nodeA.parley.webhookEndpoints, 'forget');
    try {
      const res = await fetch(`${nodeB.url}/api/admin/sites/${nodeA.site.id}/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'http://127.0.0.1:9/hook', events: ['message.created'] }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as WebhookSecretResponse;
      await expect.poll(() => heard.mock.calls, { timeout: 10_000 }).toContainEqual([{ siteId: nodeA.site.id }]);

      const { message } = await send('after the webhook', conversationId);
      const logged = async () => (await nodeA.parley.store.webhooks.listDeliveries(id, 10)).map((d) => d.eventKey);
      await expect.poll(logged, { timeout: 10_000 }).toEqual([`message:${message.id}`]);
    } finally {
      heard.mockRestore();
    }
  });
});
