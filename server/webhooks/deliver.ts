/**
 * The `webhook.deliver` job: signs and sends one logged delivery, records the attempt, and after the last
 * failed attempt disables the endpoint. Per-conversation order: while an earlier delivery of the same endpoint
 * and conversation is still pending, this one is not attempted; its job fails with "waiting" and so retries on
 * the same backoff, which is simple and keeps order at the cost of some extra delay behind a failing receiver.
 */
import type { Logger } from '../app/logger.ts';
import type { Notifier } from '../app/ports.ts';
import type { WebhookEndpointCache } from '../app/webhook-endpoint-cache.ts';
import type { WebhookEndpointRecord, WebhookStore } from '../app/webhook-ports.ts';
import type { Clock } from '../domain/clock.ts';
import { PermanentJobError, type RetrySchedule } from '../jobs/types.ts';
import type { JobWorker } from '../jobs/worker.ts';
import { RefusedTarget } from './address-guard.ts';
import { sendJobTimeoutMs, sendWebhook } from './send.ts';
import { signedHeaders } from './signing.ts';

/**
 * The first pause doubling to a cap of 240 times it, 32 attempts. By default 30 s to 2 h: even with the shortest
 * jitter (half of each pause) the retries span more than 24 hours (tests/unit/server/webhook-retry.test.ts).
 * WEBHOOK_RETRY_BASE_MS shortens the whole schedule in proportion (fault tests).
 */
export function webhookRetry(baseDelayMs: number): RetrySchedule {
  return { maxAttempts: 32, baseDelayMs, maxDelayMs: baseDelayMs * 240 };
}

export const WEBHOOK_RETRY = webhookRetry(30_000);

export interface DeliveryDeps {
  webhooks: WebhookStore;
  /** Told when an endpoint is disabled, so events stop being logged for it at once. */
  endpoints: Pick<WebhookEndpointCache, 'changed'>;
  clock: Clock;
  log: Logger;
  /** Tells admins' consoles an endpoint was disabled. */
  notifier: Pick<Notifier, 'webhookDisabled'>;
  allowPrivate: boolean;
  /** How long a receiver has to answer (WEBHOOK_TIMEOUT_MS); a run may take a little longer (sendJobTimeoutMs). */
  timeoutMs: number;
  /** The retry schedule; default WEBHOOK_RETRY. */
  retry?: RetrySchedule;
  /** Counts each attempt's outcome (metrics): delivered, failed for now, or dead (given up). */
  onOutcome?: (outcome: 'delivered' | 'failed' | 'dead') => void;
}

export function handleWebhookDeliveries(worker: JobWorker, deps: DeliveryDeps): void {
  const { webhooks, clock, log, retry = WEBHOOK_RETRY } = deps;
  worker.handle('webhook.deliver', async ({ deliveryId }, { signal, attempt }) => {
    const delivery = await webhooks.findDelivery(deliveryId);
    // Gone with its endpoint, or already delivered by an earlier run.
    if (!delivery || delivery.status !== 'pending') return;
    const endpoint = await webhooks.findEndpoint(delivery.endpointId);
    const at = () => new Date(clock.now());
    if (!endpoint?.enabled) {
      await webhooks.recordAttempt(delivery.id, { status: 'failed', statusCode: null, latencyMs: null, error: 'endpoint disabled', responseSnippet: null, at: at() });
      return;
    }
    const last = attempt >= retry.maxAttempts;
    if (await webhooks.hasEarlierPending(delivery)) {
      if (last) await disable(endpoint, 'an earlier delivery of the same conversation never succeeded');
      throw new Error('waiting for an earlier delivery of this conversation');
    }
    const secrets = [endpoint.secret, ...(endpoint.previousSecret && endpoint.previousUntil && endpoint.previousUntil.getTime() > clock.now() ? [endpoint.previousSecret] : [])];
    // Signed at the real time, not the injected clock: receivers check the timestamp against their own clock.
    const headers = signedHeaders(delivery.webhookId, new Date(), delivery.payload, secrets);
    let result;
    try {
      result = await sendWebhook(endpoint.url, headers, delivery.payload, { allowPrivate: deps.allowPrivate, timeoutMs: deps.timeoutMs, signal });
    } catch (error) {
      if (!(error instanceof RefusedTarget)) throw error;
      // The name resolves to a private address now: retrying cannot help, and nothing was sent.
      await webhooks.recordAttempt(delivery.id, { status: 'failed', statusCode: null, latencyMs: null, error: error.message, responseSnippet: null, at: at() });
      log.warn({ endpoint: endpoint.id, delivery: delivery.id, reason: error.message }, 'webhook target refused');
      deps.onOutcome?.('dead');
      throw new PermanentJobError(error.message);
    }
    const failedForGood = !result.ok && last;
    await webhooks.recordAttempt(delivery.id, {
      status: result.ok ? 'delivered' : failedForGood ? 'failed' : 'pending',
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      responseSnippet: result.responseSnippet,
      at: at(),
    });
    deps.onOutcome?.(result.ok ? 'delivered' : failedForGood ? 'dead' : 'failed');
    if (result.ok) return;
    if (failedForGood) await disable(endpoint, `delivery ${delivery.webhookId} failed ${attempt} times: ${result.error}`);
    throw new Error(result.error ?? 'failed');
  }, { ...retry, timeoutMs: sendJobTimeoutMs(deps.timeoutMs) });

  async function disable(endpoint: WebhookEndpointRecord, reason: string): Promise<void> {
    await webhooks.updateEndpoint(endpoint.id, { enabled: false, disabledAt: new Date(clock.now()), disabledReason: reason });
    deps.endpoints.changed({ siteId: endpoint.siteId });
    log.warn({ endpoint: endpoint.id, reason }, 'webhook endpoint disabled');
    deps.notifier.webhookDisabled({ siteId: endpoint.siteId, endpointId: endpoint.id, url: endpoint.url, reason });
  }
}
