/**
 * Fault: a webhook receiver's outage, on a real Parley process. The receiver is first down (connection refused),
 * then answers 503, then comes back; meanwhile the server is killed with SIGKILL while deliveries are pending and
 * started again on the same database. Afterwards every event arrived exactly once by webhook-id, each signature
 * verifies with the Standard Webhooks library, and each conversation's messages arrived in order. The retry
 * schedule is shortened with WEBHOOK_RETRY_BASE_MS, so the outage takes seconds; a kill that lands during a run
 * leaves that job leased until its lease runs out: twice the run timeout (WEBHOOK_TIMEOUT_MS and 5 s) and 5 s,
 * 19 s here, well within the bound below.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, expect, it } from 'vitest';
import type { SiteAdminDTO } from '../../server/contract/admin.ts';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { WebhookDeliveryDTO, WebhookSecretResponse } from '../../server/contract/webhooks.ts';
import type { SiteRecord } from '../../server/app/ports.ts';
import { clientId, closeAllSockets, connectVisitor, login, ok, type Target } from '../support/parley.ts';
import { startReceiver, type Received } from '../support/webhook-receiver.ts';
import { sleep, Teardown, waitUntil } from './support/bounded.ts';
import { publish } from './support/verify.ts';
import { World } from './support/world.ts';

const VISITORS = 4;
const ADMIN = { email: 'admin@faults.test', password: 'faults-admin-password' };
/** Requests the receiver answers 503 once it is back, before it accepts. */
const UNAVAILABLE_ANSWERS = 6;
const RETRY_BASE_MS = 100;
const DELIVERED_TIMEOUT_MS = 200_000;

const teardown = new Teardown();
afterEach(() => teardown.run());

it('delivers every event exactly once by webhook-id, in order per conversation, through a receiver outage and a SIGKILL', async () => {
  const receiver = await startReceiver();
  teardown.add('close receiver', () => receiver.close());
  // Down: nothing listens on its port, so every attempt is refused.
  await receiver.close();
  const world = await World.create(teardown, {
    agents: 0,
    capacity: 1,
    env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_BASE_MS: String(RETRY_BASE_MS), WEBHOOK_TIMEOUT_MS: '2000' },
  });
  await world.start();
  teardown.add('close sockets', () => closeAllSockets());

  const admin = await adminApi(world.url);
  const site = (await admin<SiteAdminDTO[]>('GET', '/sites')).find((s) => s.publicKey === world.siteKey)!;
  const hook = await admin<WebhookSecretResponse>('POST', `/sites/${site.id}/webhooks`, { url: receiver.url, events: ['message.created', 'conversation.queued'] });
  const deliveries = () => admin<WebhookDeliveryDTO[]>('GET', `/sites/${site.id}/webhooks/${hook.id}/deliveries`);
  const target: Target = { url: world.url, site: site as unknown as SiteRecord };

  // Refused: each visitor opens a conversation and writes twice.
  const visitors: { token: string; conversationId: string }[] = [];
  const sent: string[] = [];
  const say = async (token: string, body: string) => {
    const { socket } = await connectVisitor(target, { token });
    const result = await ok<SendResult>(socket, 'message:send', { clientId: clientId(), body });
    socket.disconnect();
    sent.push(result.message.id);
    return result;
  };
  for (let i = 0; i < VISITORS; i++) {
    const { socket, token } = await connectVisitor(target);
    const first = await ok<SendResult>(socket, 'message:send', { clientId: clientId(), body: `visitor ${i} message 1` });
    sent.push(first.message.id);
    socket.disconnect();
    visitors.push({ token, conversationId: first.conversation.id });
    await say(token, `visitor ${i} message 2`);
  }
  await sleep(1500);
  const refusedAttempts = (await deliveries()).reduce((sum, d) => sum + d.attempts, 0);
  expect(receiver.received).toHaveLength(0);

  // Back, but answering 503; a third message each while it does.
  receiver.script.push(...Array.from({ length: UNAVAILABLE_ANSWERS }, () => '503' as const));
  await receiver.reopen();
  for (const [i, v] of visitors.entries()) await say(v.token, `visitor ${i} message 3`);
  await waitUntil(() => receiver.received.length >= UNAVAILABLE_ANSWERS, 30_000, 'the 503 answers');

  // Killed while deliveries are pending, and started again on the same database.
  const pendingAtKill = (await deliveries()).filter((d) => d.status === 'pending').length;
  expect(pendingAtKill).toBeGreaterThan(0);
  await world.server!.kill('SIGKILL');
  await world.start();
  for (const [i, v] of visitors.entries()) await say(v.token, `visitor ${i} message 4`);

  const started = Date.now();
  let last: WebhookDeliveryDTO[] = [];
  const state = () => `every delivery delivered; now ${JSON.stringify(last.map((d) => [d.eventType, d.status, d.attempts, d.lastStatusCode, d.lastError]))}`;
  await waitUntil(async () => (last = await deliveries()).every((d) => d.status === 'delivered'), DELIVERED_TIMEOUT_MS, state, 500);
  const settleMs = Date.now() - started;
  const log = await deliveries();

  // Every request, accepted or not, is signed with the endpoint's secret.
  const verifier = new Webhook(hook.secret);
  const forged = receiver.received.filter((r) => !verifies(verifier, r));
  expect(forged).toEqual([]);

  // Exactly once by webhook-id: the accepted ids are the log's, and each event has one id.
  const accepted = receiver.received.filter((r) => r.accepted);
  const firstByWebhookId = new Map<string, Received>();
  for (const r of accepted) if (!firstByWebhookId.has(r.headers['webhook-id']!)) firstByWebhookId.set(r.headers['webhook-id']!, r);
  expect(new Set(firstByWebhookId.keys())).toEqual(new Set(log.map((d) => d.webhookId)));
  const events = [...firstByWebhookId.values()].map((r) => JSON.parse(r.body) as { type: string; data: { message?: MessageDTO } });
  const messages = events.filter((e) => e.type === 'message.created').map((e) => e.data.message!);
  expect(messages.filter((m) => m.authorKind === 'visitor').map((m) => m.id).sort()).toEqual([...sent].sort());
  expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
  expect(events.filter((e) => e.type === 'conversation.queued')).toHaveLength(VISITORS);

  // In order per conversation: in the order they first arrived, each conversation's seqs only go up.
  const reordered = visitors.filter((v) => {
    const seqs = messages.filter((m) => m.conversationId === v.conversationId).map((m) => m.seq);
    return seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]!);
  }).length;
  expect(reordered).toBe(0);

  const duplicates = accepted.length - firstByWebhookId.size;
  publish(
    'webhook receiver outage',
    `events ${log.length}, delivered once each by webhook-id ${firstByWebhookId.size}, accepted again (same id) ${duplicates}, ` +
      `requests ${receiver.received.length} (503: ${receiver.received.filter((r) => !r.accepted).length}), refused attempts ${refusedAttempts}, ` +
      `pending at the SIGKILL ${pendingAtKill}, reordered conversations ${reordered}, all delivered ${(settleMs / 1000).toFixed(1)} s after the restart`,
  );
}, 300_000);

function verifies(verifier: Webhook, request: Received): boolean {
  try {
    verifier.verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}

/** The console's admin API as the seeded admin. */
async function adminApi(url: string) {
  const { accessToken } = await login({ url } as Target, ADMIN.email, ADMIN.password);
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}
