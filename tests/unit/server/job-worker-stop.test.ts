/**
 * A worker stopping while its lease of due jobs is on its way: the jobs leased then are not started, go back for a
 * retry, and nothing fails later unheard (an unhandled rejection, which fails the whole test run).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/domain/clock.ts';
import { JobWorker } from '../../../server/jobs/worker.ts';
import type { JobStore, LeasedJob } from '../../../server/jobs/types.ts';

const quiet = { info() {}, warn() {}, error() {} };
const unhandled: unknown[] = [];
const listen = (reason: unknown) => void unhandled.push(reason);

afterEach(() => {
  process.off('unhandledRejection', listen);
  unhandled.length = 0;
});

describe('JobWorker.stop', () => {
  it('starts no job leased while it stops, retries it later, and leaves no failure unhandled', async () => {
    process.on('unhandledRejection', listen);
    let leaseAsked!: () => void;
    const asked = new Promise<void>((resolve) => (leaseAsked = resolve));
    let answerLease!: (jobs: LeasedJob[]) => void;
    const outcomes: string[] = [];
    const store: JobStore = {
      enqueue: async () => true,
      claim: () => {
        leaseAsked();
        return new Promise((resolve) => (answerLease = resolve));
      },
      complete: async () => void outcomes.push('complete'),
      retry: async (id) => void outcomes.push(`retry ${id}`),
      bury: async (id) => void outcomes.push(`bury ${id}`),
      get: async () => null,
      counts: async () => [],
    };
    const worker = new JobWorker({ store, clock: new ManualClock(0), log: quiet, workerId: 'w1', pollMs: 3_600_000 });
    const started: string[] = [];
    worker.handle('push.send' as never, async (_payload, { idempotencyKey }) => {
      started.push(idempotencyKey);
      // What a send does with a receiver gone: fails after a while, whatever the signal says.
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('no answer');
    });
    worker.start();
    await asked;
    const stopped = worker.stop();
    answerLease([{ id: 'j1', kind: 'push.send', idempotencyKey: 'k1', payload: {}, attempts: 1 }]);
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(started).toEqual([]);
    expect(outcomes).toEqual(['retry j1']);
    expect(unhandled).toEqual([]);
  });
});
