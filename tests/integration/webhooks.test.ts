/**
 * Webhooks end to end: a real server (fake clock), events from real visitors, a receiver on 127.0.0.1 that
 * fails in every way before it accepts, each request verified with the `standardwebhooks` package.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SendResult, WebhookDisabledNotice } from '../../server/contract/events.ts';
import type { WebhookDeliveryDTO, WebhookEndpointDTO, WebhookPayload, WebhookSecretResponse } from '../../server/contract/webhooks.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import { JobWorker } from '../../server/jobs/worker.ts';
import { handleWebhookDeliveries, WEBHOOK_RETRY } from '../../server/webhooks/deliver.ts';
import { ADMIN, backends, clientId, closeAllSockets, connectAgent, connectVisitor, record, login, ok, startServer, useNewSite, type Backend, type TestServer } from '../support/parley.ts';
import { startReceiver, type Behaviour, type Receiver } from '../support/webhook-receiver.ts';
import { countSqlStatements, takeSqlCounts } from '../../bench/profile/sql-counter.ts';

countSqlStatements();

const quiet = { info() {}, warn() {}, error() {} };
const TIMEOUT_MS = 300;

/** A server whose webhook jobs are worked only when the test says, on a clock the test moves. */
async function webhookServer(env: Record<string, string>, backend: Backend = 'sqlite') {
  const clock = new ManualClock(Date.now());
  const server = await startServer({ WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), ...env }, backend, { clock });
  await server.parley.jobs.worker.stop();
  const worker = new JobWorker({ store: server.parley.store.jobs, clock, log: quiet, workerId: 'test', random: () => 1 });
  handleWebhookDeliveries(worker, { webhooks: server.parley.store.webhooks, endpoints: server.parley.webhookEndpoints, clock, log: quiet, notifier: server.parley.notifier, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE === 'true', timeoutMs: TIMEOUT_MS });
  const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server.url}/api/admin/sites/${server.site.id}/webhooks${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
  };
  const deliveries = async (endpointId: string) => (await api<WebhookDeliveryDTO[]>('GET', `/${endpointId}/deliveries`)).body;
  /** Runs due jobs, moving the clock past the longest pause each round, until no delivery is pending. */
  const settle = async (endpointId: string, rounds = 40) => {
    for (let round = 0; round < rounds; round++) {
      await worker.drainOnce();
      if ((await deliveries(endpointId)).every((d) => d.status !== 'pending')) return;
      clock.advance(WEBHOOK_RETRY.maxDelayMs);
    }
    throw new Error('deliveries still pending');
  };
  return { server, clock, worker, api, deliveries, settle };
}

/** Each recorded request verified as any Standard Webhooks receiver would; answers the payloads. */
function verified(receiver: Receiver, secret: string) {
  const wh = new Webhook(secret);
  return receiver.received.map((r) => ({ ...r, payload: wh.verify(r.body, r.headers) as WebhookPayload, id: r.headers['webhook-id']! }));
}

async function sendMessages(server: TestServer, bodies: string[]): Promise<string> {
  const visitor = await connectVisitor(server);
  let conversationId = '';
  for (const body of bodies) conversationId = (await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body })).message.conversationId;
  return conversationId;
}

describe.each(backends)('webhooks on %s', { timeout: 60_000 }, (backend) => {
  let ctx: Awaited<ReturnType<typeof webhookServer>>;
  const receivers: Receiver[] = [];
  const receiver = async (script: Behaviour[] = []) => {
    const r = await startReceiver(script);
    receivers.push(r);
    return r;
  };
  beforeAll(async () => {
    ctx = await webhookServer({ WEBHOOK_ALLOW_PRIVATE: 'true' }, backend);
  });
  afterEach(async () => {
    closeAllSockets();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await useNewSite(ctx.server);
  });
  afterAll(() => ctx?.server.close());

  const create = async (url: string, events: string[] = ['message.created']) => {
    const res = await ctx.api<WebhookSecretResponse>('POST', '', { url, events });
    expect(res.status).toBe(201);
    return res.body;
  };
  const waitForDeliveries = (endpointId: string, count: number) =>
    vi.waitFor(async () => expect((await ctx.deliveries(endpointId)).length).toBeGreaterThanOrEqual(count));

  it('delivers every event once by webhook-id, in conversation order, through a 500, a hang and a reset', async () => {
    const hook = await receiver(['500', 'hang', 'reset']);
    const { id, secret } = await create(hook.url);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    const conversationId = await sendMessages(ctx.server, ['one', 'two', 'three']);
    await waitForDeliveries(id, 3);
    await ctx.settle(id);

    const log = await ctx.deliveries(id);
    expect(log.map((d) => d.status)).toEqual(log.map(() => 'delivered'));
    const requests = verified(hook, secret);
    const accepted = requests.filter((r) => r.accepted);
    // Each delivery accepted exactly once; the failed requests were retries of those same ids.
    expect(accepted.map((r) => r.id).sort()).toEqual(log.map((d) => d.webhookId).sort());
    expect(new Set(requests.map((r) => r.id))).toEqual(new Set(log.map((d) => d.webhookId)));
    expect(requests.length).toBe(accepted.length + 3);
    const bodies = accepted
      .map((r) => (r.payload.data as { message: { conversationId: string; seq: number; body: string } }).message)
      .filter((m) => m.conversationId === conversationId);
    expect(bodies.map((m) => m.seq)).toEqual([...bodies.map((m) => m.seq)].sort((a, b) => a - b));
    expect(bodies.map((m) => m.body).filter((b) => ['one', 'two', 'three'].includes(b))).toEqual(['one', 'two', 'three']);
    const [listed] = (await ctx.api<WebhookEndpointDTO[]>('GET', '')).body;
    expect(listed).toMatchObject({ id, url: hook.url, enabled: true, lastDelivery: { status: 'delivered' } });
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it("reads a site's endpoints once for a run of messages, not once per round of sends", async () => {
    const hook = await receiver();
    const { id } = await create(hook.url);
    const visitor = await connectVisitor(ctx.server);
    const send = (body: string, conversationId?: string) => ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body, ...(conversationId ? { conversationId } : {}) });
    // Straight from the store: the admin API's delivery log reads the endpoint too.
    const logged = async () => (await ctx.server.parley.store.webhooks.listDeliveries(id, 10)).length;
    const { conversationId } = (await send('first')).message;
    await expect.poll(logged).toBe(1);
    takeSqlCounts();
    for (const body of ['second', 'third', 'fourth']) await send(body, conversationId);
    await expect.poll(logged).toBe(4);
    expect(takeSqlCounts()).not.toHaveProperty(['SELECT WebhookEndpoint']);
    await ctx.settle(id); // delivered, so no job of this test is left for the next ones' workers
    expect(hook.received.filter((r) => r.accepted)).toHaveLength(4);
  });

  it('holds the later events of a conversation back while an earlier one is failing', async () => {
    const hook = await receiver(['500']);
    const { id, secret } = await create(hook.url);
    const conversationId = await sendMessages(ctx.server, ['first', 'second', 'third']);
    await waitForDeliveries(id, 3);
    await ctx.settle(id);
    const seqs = verified(hook, secret)
      .filter((r) => r.accepted)
      .map((r) => (r.payload.data as { message: { conversationId: string; seq: number } }).message)
      .filter((m) => m.conversationId === conversationId)
      .map((m) => m.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(3);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('replays a logged delivery with its webhook-id, and sends a test event', async () => {
    const hook = await receiver();
    const { id, secret } = await create(hook.url);
    await sendMessages(ctx.server, ['hello']);
    await waitForDeliveries(id, 1);
    await ctx.settle(id);
    const [first] = await ctx.deliveries(id);
    const replay = await ctx.api<WebhookDeliveryDTO>('POST', `/deliveries/${first!.id}/replay`);
    expect(replay.status).toBe(202);
    const test = await ctx.api<WebhookDeliveryDTO>('POST', `/${id}/test`);
    expect(test.status).toBe(202);
    await ctx.settle(id);
    const requests = verified(hook, secret);
    expect(requests.filter((r) => r.id === first!.webhookId)).toHaveLength(2);
    expect(requests.find((r) => r.id === test.body.webhookId)?.payload.type).toBe('webhook.test');
  });

  it('signs with the new and the previous secret after a rotation', async () => {
    const hook = await receiver();
    const { id, secret: old } = await create(hook.url);
    const { body: rotated } = await ctx.api<WebhookSecretResponse>('POST', `/${id}/rotate-secret`);
    await ctx.api('POST', `/${id}/test`);
    await ctx.settle(id);
    expect(verified(hook, old)).toHaveLength(1);
    expect(verified(hook, rotated.secret)).toHaveLength(1);
  });

  it('keeps the first KiB of an endless answer, and does not follow a redirect', async () => {
    const elsewhere = await receiver();
    const hook = await receiver(['endless', { redirect: elsewhere.url }]);
    const { id } = await create(hook.url);
    await ctx.api('POST', `/${id}/test`);
    await ctx.settle(id);
    const [endless] = await ctx.deliveries(id);
    expect(endless).toMatchObject({ status: 'delivered', lastStatusCode: 200 });
    expect(endless!.lastResponseSnippet!.length).toBeLessThanOrEqual(1024);
    await ctx.api('POST', `/${id}/test`);
    await ctx.worker.drainOnce();
    const [redirected] = await ctx.deliveries(id);
    expect(redirected).toMatchObject({ status: 'pending', lastStatusCode: 302, lastError: 'redirect (302) not followed' });
    expect(elsewhere.received).toHaveLength(0);
  });

  it('loses nothing while the receiver is down for ten minutes', async () => {
    const hook = await receiver();
    const { id, secret } = await create(hook.url);
    await hook.close();
    await sendMessages(ctx.server, ['while', 'down']);
    await waitForDeliveries(id, 2);
    for (let elapsed = 0; elapsed < 10 * 60_000; elapsed += 30_000) {
      await ctx.worker.drainOnce();
      ctx.clock.advance(30_000);
    }
    const whileDown = await ctx.deliveries(id);
    expect(whileDown.map((d) => d.status)).toEqual(whileDown.map(() => 'pending'));
    expect(whileDown.some((d) => d.lastError?.includes('ECONNREFUSED'))).toBe(true);
    await hook.reopen();
    await ctx.settle(id);
    const log = await ctx.deliveries(id);
    expect(log.every((d) => d.status === 'delivered')).toBe(true);
    expect(verified(hook, secret).map((r) => r.id).sort()).toEqual(log.map((d) => d.webhookId).sort());
  });

  it('disables the endpoint after the last attempt, over a day of failures, and enables it again', async () => {
    const hook = await receiver(Array.from({ length: WEBHOOK_RETRY.maxAttempts }, () => '500' as const));
    const { id } = await create(hook.url);
    const admin = await connectAgent(ctx.server, ADMIN);
    const told = record<WebhookDisabledNotice>(admin.socket, 'webhook:disabled');
    const started = ctx.clock.now();
    await ctx.api('POST', `/${id}/test`);
    await ctx.settle(id, WEBHOOK_RETRY.maxAttempts + 1);
    expect(ctx.clock.now() - started).toBeGreaterThanOrEqual(24 * 3_600_000);
    const [failed] = await ctx.deliveries(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: WEBHOOK_RETRY.maxAttempts, lastStatusCode: 500, lastResponseSnippet: 'broken' });
    const [disabled] = (await ctx.api<WebhookEndpointDTO[]>('GET', '')).body;
    expect(disabled).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('answered 500') });
    // Endpoints left failing by earlier tests may be disabled meanwhile too: this one's notice is looked for.
    await vi.waitFor(() => expect(told.filter((n) => n.endpointId === id)).toEqual([{ siteId: ctx.server.site.id, endpointId: id, url: hook.url, reason: disabled!.disabledReason }]));
    // Disabled: new events are not delivered to it.
    await sendMessages(ctx.server, ['not sent']);
    expect(await ctx.deliveries(id)).toHaveLength(1);
    expect((await ctx.api<WebhookEndpointDTO>('POST', `/${id}/enable`)).body).toMatchObject({ enabled: true, disabledReason: null });
    const replay = await ctx.api<WebhookDeliveryDTO>('POST', `/deliveries/${failed!.id}/replay`);
    await ctx.settle(id);
    expect(hook.received.filter((r) => r.headers['webhook-id'] === replay.body.webhookId && r.accepted)).toHaveLength(1);
  });

  it('refuses bad input with a typed error and creates nothing', async () => {
    for (const body of [{ url: 'ftp://example.com/x', events: ['message.created'] }, { url: 'https://user:pw@example.com/x', events: ['message.created'] }, { url: 'https://example.com', events: ['nope'] }, { url: 'https://example.com', events: [] }]) {
      const res = await ctx.api<{ error: { code: string } }>('POST', '', body);
      expect(res).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    }
    expect((await ctx.api<unknown[]>('GET', '')).body).toEqual([]);
  });
});

describe('webhook targets without WEBHOOK_ALLOW_PRIVATE', { timeout: 60_000 }, () => {
  let ctx: Awaited<ReturnType<typeof webhookServer>>;
  beforeAll(async () => {
    ctx = await webhookServer({});
  });
  afterAll(() => ctx?.server.close());

  it.each(['http://127.0.0.1/x', 'http://10.0.0.1/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://localhost/x', 'http://100.64.0.1/x', 'http://0.0.0.0/x'])(
    'refuses %s at creation with BAD_REQUEST',
    async (url) => {
      const res = await ctx.api<{ error: { code: string; message: string } }>('POST', '', { url, events: ['message.created'] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    },
  );

  it('refuses a target that became private at delivery time, before connecting: a logged failure, nothing sent', async () => {
    const hook = await startReceiver();
    try {
      // As if the name resolved publicly at creation and to loopback now.
      const endpoint = await ctx.server.parley.store.webhooks.createEndpoint({ siteId: ctx.server.site.id, url: hook.url, events: ['message.created'], secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64') });
      await ctx.api('POST', `/${endpoint.id}/test`);
      await ctx.worker.drainOnce();
      const [delivery] = await ctx.deliveries(endpoint.id);
      expect(delivery).toMatchObject({ status: 'failed', lastStatusCode: null });
      expect(delivery!.lastError).toContain('private or reserved');
      expect(hook.received).toHaveLength(0);
    } finally {
      await hook.close();
    }
  });
});
