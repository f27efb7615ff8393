/**
 * Works the job outbox: leases due jobs, runs each kind's handler with a timeout, and records the outcome
 * (done, retry later with backoff, or dead with the last error). Every node runs one; the store's leases keep
 * a job on one worker at a time, and a worker that dies simply lets its leases run out.
 */
import type { Logger } from '../app/logger.ts';
import type { Clock } from '../domain/clock.ts';
import { retryDelayMs } from './backoff.ts';
import { DEFAULT_RETRY, PermanentJobError, type JobKind, type JobMap, type JobStore, type LeasedJob, type RetryPolicy } from './types.ts';

export interface JobContext {
  /** Aborted when the run's timeout passes or the worker stops. */
  signal: AbortSignal;
  attempt: number;
  /** Stable across retries of this job: a receiver can de-duplicate by it. */
  idempotencyKey: string;
}

export type JobHandler<K extends JobKind> = (payload: JobMap[K], context: JobContext) => Promise<void>;

export interface JobWorkerOptions {
  store: JobStore;
  clock: Clock;
  log: Logger;
  /** Distinguishes this worker's leases from other nodes'. */
  workerId: string;
  /** How often to look for due jobs when not told of new ones. Default 1 s. */
  pollMs?: number;
  /** Jobs leased (and run concurrently) at a time. Default 8. */
  batchSize?: number;
  random?: () => number;
}

interface Registration {
  run: (payload: unknown, context: JobContext) => Promise<void>;
  policy: RetryPolicy;
}

export class JobWorker {
  private readonly handlers = new Map<string, Registration>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: JobWorkerOptions) {}

  handle<K extends JobKind>(kind: K, run: JobHandler<K>, policy: Partial<RetryPolicy> = {}): void {
    this.handlers.set(kind, { run: run as Registration['run'], policy: { ...DEFAULT_RETRY, ...policy } });
  }

  start(): void {
    this.schedule(0);
  }

  /** Looks for due jobs now (a job was just enqueued), rather than at the next poll. */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    if (this.polling) this.again = true;
    else this.schedule(0);
  }

  /** Stops leasing and waits for the runs in progress (their handlers see the abort signal). */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.polling;
    await Promise.allSettled([...this.running]);
  }

  /** Leases and runs one batch of due jobs; resolves when they have finished. For tests and shutdown. */
  async drainOnce(): Promise<number> {
    const jobs = await this.lease();
    await Promise.allSettled(jobs.map((job) => this.track(job)));
    return jobs.length;
  }

  /**
   * Runs every due job, this worker's polls included, until none is due and none is running here. For tests
   * that move a fake clock and then look at the outcome.
   */
  async settle(): Promise<void> {
    for (;;) {
      await this.polling;
      const ran = await this.drainOnce();
      await Promise.allSettled([...this.running]);
      if (ran === 0 && this.polling === undefined && this.running.size === 0) return;
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.polling = (async () => {
      try {
        do {
          this.again = false;
          const jobs = await this.lease();
          for (const job of jobs) void this.track(job);
          // A full batch means more may be due: look again once these finish rather than after a poll.
          if (jobs.length === this.batchSize) {
            await Promise.allSettled([...this.running]);
            this.again = true;
          }
        } while (this.again && !this.stopping.signal.aborted);
      } catch (error) {
        this.options.log.warn({ err: error }, 'job outbox unavailable');
      }
    })();
    await this.polling;
    this.polling = undefined;
    if (!this.stopping.signal.aborted) this.schedule(this.options.pollMs ?? 1_000);
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 8;
  }

  private async lease(): Promise<LeasedJob[]> {
    if (this.handlers.size === 0 || this.stopping.signal.aborted) return [];
    // Each job's lease outlives its own kind's run by a margin, so a slow but live run is never taken over, and a
    // crashed node's quick jobs (an email) wait for their own lease, not for the slowest kind's (a bot turn).
    const leaseMsByKind = new Map([...this.handlers].map(([kind, { policy }]) => [kind, policy.timeoutMs * 2 + 5_000]));
    return this.options.store.claim(leaseMsByKind, this.batchSize, this.options.workerId, new Date(this.options.clock.now()));
  }

  private track(job: LeasedJob): Promise<void> {
    const run = this.execute(job).finally(() => this.running.delete(run));
    this.running.add(run);
    return run;
  }

  private async execute(job: LeasedJob): Promise<void> {
    const { store, workerId, clock, log } = this.options;
    const handler = this.handlers.get(job.kind)!;
    const timeout = AbortSignal.timeout(handler.policy.timeoutMs);
    const signal = AbortSignal.any([timeout, this.stopping.signal]);
    try {
      await abortable(() => handler.run(job.payload, { signal, attempt: job.attempts, idempotencyKey: job.idempotencyKey }), signal);
      await store.complete(job.id, workerId, new Date(clock.now()));
    } catch (error) {
      const message = errorText(error, timeout.aborted ? `timed out after ${handler.policy.timeoutMs} ms` : undefined);
      const now = clock.now();
      if (error instanceof PermanentJobError || job.attempts >= handler.policy.maxAttempts) {
        log.warn({ job: job.id, kind: job.kind, attempts: job.attempts, error: message }, 'job failed for good');
        await store.bury(job.id, workerId, message, new Date(now)).catch(() => {});
        return;
      }
      const runAt = new Date(now + retryDelayMs(job.attempts, handler.policy, this.options.random));
      log.info({ job: job.id, kind: job.kind, attempts: job.attempts, runAt, error: message }, 'job will retry');
      // If this write fails the lease runs out and another worker retries: nothing is lost.
      await store.retry(job.id, workerId, runAt, message, new Date(now)).catch(() => {});
    }
  }
}

/**
 * Starts the run and settles with it, or rejects as soon as the signal aborts (a handler that ignores its signal is
 * left behind, its outcome still handled). A job leased while the worker began to stop is not started at all: started,
 * it would fail later with nobody listening, an unhandled rejection.
 */
function abortable(start: () => Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const run = start();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    run.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const MAX_ERROR_CHARS = 2_000;

function errorText(error: unknown, override?: string): string {
  const text = override ?? (error instanceof Error ? error.message : String(error));
  return text.slice(0, MAX_ERROR_CHARS);
}
