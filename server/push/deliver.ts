/**
 * The `push.send` job: one alert to one browser subscription. web-push encrypts the payload (RFC 8291,
 * aes128gcm) and signs the VAPID header (RFC 8292); the POST goes through the same guarded sender as webhooks,
 * so an endpoint cannot point the server at a private address (unless WEBHOOK_ALLOW_PRIVATE), redirects are not
 * followed, and the run honours the job's abort signal. A subscription the push service calls gone (404, 410)
 * is deleted; a 429 or 5xx is retried; any other refusal buries the job.
 */
import webpush from 'web-push';
import type { AlertStore } from '../app/alert-ports.ts';
import type { Logger } from '../app/logger.ts';
import type { PushSubscriptionCache } from '../app/push-subscription-cache.ts';
import type { PushAlertPayload } from '../contract/alerts.ts';
import { PermanentJobError, type RetrySchedule } from '../jobs/types.ts';
import type { JobWorker } from '../jobs/worker.ts';
import { RefusedTarget } from '../webhooks/address-guard.ts';
import { sendJobTimeoutMs, sendWebhook } from '../webhooks/send.ts';
import type { VapidKeys } from './vapid-keys.ts';

export interface PushJob {
  subscriptionId: string;
  payload: PushAlertPayload;
}

declare module '../jobs/types.ts' {
  interface JobMap {
    'push.send': PushJob;
  }
}

/** An alert is worth little after an hour: a few quick retries, and the push service keeps it no longer either. */
export const PUSH_RETRY: RetrySchedule = { maxAttempts: 6, baseDelayMs: 5_000, maxDelayMs: 10 * 60_000 };
const PUSH_TTL_SECONDS = 3_600;

export interface PushDeliveryDeps {
  alerts: Pick<AlertStore, 'findSubscription' | 'forgetSubscription'>;
  /** Told when a subscription is deleted for being gone. */
  cache: Pick<PushSubscriptionCache, 'changed'>;
  keys: VapidKeys;
  /** The VAPID `sub` claim: a mailto: or https: contact for the push service's operators. */
  subject: string;
  allowPrivate: boolean;
  /** How long the push service has to answer (WEBHOOK_TIMEOUT_MS); a run may take a little longer (sendJobTimeoutMs). */
  timeoutMs: number;
  log: Logger;
  /** Counts each attempt's outcome (metrics): delivered, failed for now, or dead (refused or gone). */
  onOutcome?: (outcome: 'delivered' | 'failed' | 'dead') => void;
}

export function handlePushDeliveries(worker: JobWorker, deps: PushDeliveryDeps): void {
  worker.handle('push.send', async ({ subscriptionId, payload }, { signal }) => {
    const subscription = await deps.alerts.findSubscription(subscriptionId);
    if (!subscription) return; // unsubscribed meanwhile
    const request = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(payload),
      {
        vapidDetails: { subject: deps.subject, publicKey: deps.keys.publicKey, privateKey: deps.keys.privateKey },
        contentEncoding: 'aes128gcm',
        TTL: PUSH_TTL_SECONDS,
        urgency: 'high',
      },
    );
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
    const outcome = deps.onOutcome ?? (() => {});
    let result;
    try {
      result = await sendWebhook(subscription.endpoint, { 'user-agent': 'Parley-Push', ...headers }, request.body, { allowPrivate: deps.allowPrivate, timeoutMs: deps.timeoutMs, signal });
    } catch (error) {
      if (!(error instanceof RefusedTarget)) throw error;
      outcome('dead');
      throw new PermanentJobError(error.message);
    }
    if (result.ok) return outcome('delivered');
    const status = result.statusCode;
    if (status === 404 || status === 410) {
      await deps.alerts.forgetSubscription(subscription.id);
      deps.cache.changed({ agentId: subscription.agentId, endpoint: subscription.endpoint });
      deps.log.info({ subscription: subscription.id, agent: subscription.agentId, status }, 'push subscription gone; deleted');
      return outcome('dead');
    }
    if (status !== null && status >= 400 && status < 500 && status !== 429) {
      outcome('dead');
      throw new PermanentJobError(`push service refused: ${result.error}`);
    }
    outcome('failed');
    throw new Error(result.error ?? 'push failed');
  }, { ...PUSH_RETRY, timeoutMs: sendJobTimeoutMs(deps.timeoutMs) });
}
