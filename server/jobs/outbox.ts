/** What subscribers call to hand work to the job outbox: typed by kind, idempotent by key, worked at once when due. */
import type { Clock } from '../domain/clock.ts';
import type { JobKind, JobMap, JobStore } from './types.ts';

export class JobOutbox {
  constructor(
    private readonly store: JobStore,
    private readonly clock: Clock,
    /** Told when a job due now was added, so a worker need not wait for its next poll. */
    private readonly onDue: () => void = () => {},
  ) {}

  /** Adds the job unless `idempotencyKey` was enqueued before; answers whether it was added. */
  async enqueue<K extends JobKind>(kind: K, idempotencyKey: string, payload: JobMap[K], options: { delayMs?: number } = {}): Promise<boolean> {
    const delayMs = Math.max(0, options.delayMs ?? 0);
    const added = await this.store.enqueue({ kind, idempotencyKey, payload, runAt: new Date(this.clock.now() + delayMs) });
    if (added && delayMs === 0) this.onDue();
    return added;
  }
}
