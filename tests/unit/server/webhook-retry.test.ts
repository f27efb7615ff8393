import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/domain/clock.ts';
import { retryDelayMs } from '../../../server/jobs/backoff.ts';
import type { JobStore } from '../../../server/jobs/types.ts';
import { JobWorker } from '../../../server/jobs/worker.ts';
import { handlePushDeliveries } from '../../../server/push/deliver.ts';
import { isPublicAddress } from '../../../server/webhooks/address-guard.ts';
import { handleWebhookDeliveries, WEBHOOK_RETRY, webhookRetry } from '../../../server/webhooks/deliver.ts';
import { loadConfig } from '../../../server/config.ts';

describe('webhook retries', () => {
  it('span at least 24 hours before the endpoint is disabled, even with the shortest jitter', () => {
    let shortest = 0;
    // The pauses between the attempts: after attempts 1 … maxAttempts-1.
    for (let attempt = 1; attempt < WEBHOOK_RETRY.maxAttempts; attempt++) shortest += retryDelayMs(attempt, WEBHOOK_RETRY, () => 0);
    expect(shortest).toBeGreaterThanOrEqual(24 * 3_600_000);
    // And not days more: a receiver down for good is disabled within about two days.
    let longest = 0;
    for (let attempt = 1; attempt < WEBHOOK_RETRY.maxAttempts; attempt++) longest += retryDelayMs(attempt, WEBHOOK_RETRY, () => 1);
    expect(longest).toBeLessThan(3 * 24 * 3_600_000);
  });

  it('shrink in proportion with WEBHOOK_RETRY_BASE_MS, which is validated at start', () => {
    expect(loadConfig({}).WEBHOOK_RETRY_BASE_MS).toBe(30_000);
    expect(webhookRetry(loadConfig({ WEBHOOK_RETRY_BASE_MS: '200' }).WEBHOOK_RETRY_BASE_MS)).toEqual({ ...WEBHOOK_RETRY, baseDelayMs: 200, maxDelayMs: 48_000 });
    expect(() => loadConfig({ WEBHOOK_RETRY_BASE_MS: '10' })).toThrow(/WEBHOOK_RETRY_BASE_MS/);
  });

  it('give a webhook or push run the request timeout and 5 s, and lease its job for twice that and 5 s', async () => {
    const leases: ReadonlyMap<string, number>[] = [];
    const recordsLeases: Pick<JobStore, 'claim'> = {
      claim: async (leaseMsByKind) => {
        leases.push(leaseMsByKind);
        return [];
      },
    };
    const store = recordsLeases as JobStore;
    const log = { info() {}, warn() {}, error() {} };
    const worker = new JobWorker({ store, clock: new ManualClock(), log, workerId: 'w' });
    const timeoutMs = loadConfig({ WEBHOOK_TIMEOUT_MS: '2000' }).WEBHOOK_TIMEOUT_MS;
    handleWebhookDeliveries(worker, { webhooks: {} as never, endpoints: {} as never, notifier: {} as never, clock: new ManualClock(), log, allowPrivate: false, timeoutMs });
    handlePushDeliveries(worker, { alerts: {} as never, cache: {} as never, keys: {} as never, subject: 'mailto:ops@example.com', log, allowPrivate: false, timeoutMs });
    await worker.drainOnce();
    expect(leases).toEqual([new Map([['webhook.deliver', 2 * 7_000 + 5_000], ['push.send', 2 * 7_000 + 5_000]])]);
  });
});

describe('webhook target addresses', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '0.1.2.3', '224.0.0.1',
    '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-address',
  ])('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => expect(isPublicAddress(address)).toBe(true));
});
