/**
 * GET /metrics: refused without the token, absent unless configured, on its own loopback port with METRICS_PORT,
 * and moving with a scripted conversation (parsed from the Prometheus exposition text).
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../server/app/events.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { backends, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, ok, startServer, type Backend, type TestServer } from '../support/parley.ts';

declare module '../../server/jobs/types.ts' {
  interface JobMap {
    'test.metrics-job': { n: number };
  }
}

const TOKEN = 'scrape-token-0123456789abcdef';

/** `name{labels}` → value, for every sample in the exposition text. */
function samples(text: string): Map<string, number> {
  const parsed = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    parsed.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return parsed;
}

async function scrape(url: string, token = TOKEN): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return samples(await res.text());
}

/** Asserts the samples named, each equal to a number or matching a matcher; `null` for one that must be absent. */
function expectSamples(scraped: Map<string, number>, expected: Record<string, unknown>): void {
  expect(Object.fromEntries(Object.keys(expected).map((name) => [name, scraped.get(name) ?? null]))).toEqual(expected);
}

const atLeast = (min: number) => expect.toSatisfy((value: number) => value >= min, `at least ${min}`);

const servers: TestServer[] = [];
async function start(env: Record<string, string>, backend: Backend = 'sqlite'): Promise<TestServer> {
  const server = await startServer(env, backend);
  servers.push(server);
  return server;
}
afterEach(async () => {
  closeAllSockets();
  for (const server of servers.splice(0)) await server.close();
});

/** Resolves once the server has emitted `event` (some facts are emitted just after the command's ack). */
const heard = (server: TestServer, event: EventName) => new Promise<void>((resolve) => server.parley.events.on(event, () => resolve()));

describe('metrics', () => {
  it('refuses a scrape without the token or with a wrong one', async () => {
    const server = await start({ METRICS_TOKEN: TOKEN });
    const bare = await fetch(`${server.url}/metrics`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
  });

  it.each(backends)('follows a scripted conversation on %s: connections, queue, messages, wait, acks, commits, role, deliveries', async (backend) => {
    const server = await start({ METRICS_TOKEN: TOKEN }, backend);
    const site = server.site.id;
    const alice = await connectAgent(server, await createAgent(server, 'alice'));
    // Away, so the conversation waits in the queue until she claims it.
    await ok(alice.socket, 'agent:setStatus', { status: 'away' });
    const visitor = await connectVisitor(server);
    const queued = heard(server, 'conversation.queued');
    const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hello' });
    await queued;
    const conversationId = first.conversation.id;

    expectSamples(await scrape(server.url), {
      'parley_connected_sockets{kind="visitor"}': 1,
      'parley_connected_sockets{kind="agent"}': 1,
      [`parley_queue_length{site="${site}"}`]: 1,
      [`parley_queue_longest_wait_seconds{site="${site}"}`]: atLeast(0),
      'parley_messages_stored_total{author="visitor"}': 1,
      'parley_conversations_total{event="queued"}': 1,
    });

    const assigned = heard(server, 'conversation.assigned');
    await ok(alice.socket, 'conversation:claim', { conversationId });
    await assigned;
    await ok(alice.socket, 'message:send', { conversationId, clientId: clientId(), body: 'hi, how can I help?' });
    const resolved = heard(server, 'conversation.resolved');
    await ok(alice.socket, 'conversation:resolve', { conversationId });
    await resolved;
    server.parley.metrics.recordDelivery('webhook', 'delivered');

    expectSamples(await scrape(server.url), {
      [`parley_queue_length{site="${site}"}`]: null,
      'parley_messages_stored_total{author="agent"}': 1,
      // The assignment's and the resolution's system lines.
      'parley_messages_stored_total{author="system"}': 2,
      'parley_conversations_total{event="assigned"}': 1,
      'parley_conversations_total{event="resolved"}': 1,
      'parley_wait_to_assignment_seconds_count': 1,
      'parley_ack_latency_seconds_count{namespace="/visitor",event="message:send"}': 1,
      'parley_ack_latency_seconds_count{namespace="/agent",event="message:send"}': 1,
      'parley_ack_latency_seconds_count{namespace="/agent",event="conversation:claim"}': 1,
      // A conversation's first message is stored with the conversation; later ones go through the group commit.
      'parley_commit_batch_size_sum': 1,
      'parley_commit_duration_seconds_count': atLeast(1),
      'parley_routing_role{role="single"}': 1,
      'parley_routing_role{role="leader"}': 0,
      'parley_deliveries_total{channel="webhook",outcome="delivered"}': 1,
      'nodejs_eventloop_lag_p99_seconds': expect.any(Number),
    });
  });

  it('counts jobs by kind and state', async () => {
    const server = await start({ METRICS_TOKEN: TOKEN });
    // Due in an hour, and no worker runs the kind: it stays pending.
    await server.parley.jobs.outbox.enqueue('test.metrics-job', 'metrics-job-1', { n: 1 }, { delayMs: 3_600_000 });
    const scraped = await scrape(server.url);
    expect(scraped.get('parley_jobs{kind="test.metrics-job",state="pending"}')).toBe(1);
  });

  it('serves /metrics only on METRICS_PORT (127.0.0.1) when it is set, and the token still applies there', async () => {
    const server = await start({ METRICS_PORT: '0' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const address = server.parley.metricsServer!.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
    const metricsUrl = `http://127.0.0.1:${address.port}`;
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(samples(await res.text()).get('parley_routing_role{role="single"}')).toBe(1);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(404);

    const guarded = await start({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
    const guardedUrl = `http://127.0.0.1:${(guarded.parley.metricsServer!.address() as AddressInfo).port}`;
    expect((await fetch(`${guardedUrl}/metrics`)).status).toBe(401);
    await scrape(guardedUrl);
  });

  it('does not serve /metrics when neither METRICS_TOKEN nor METRICS_PORT is set', async () => {
    const server = await start({});
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(404);
    expect(server.parley.metricsServer).toBeUndefined();
  });
});
