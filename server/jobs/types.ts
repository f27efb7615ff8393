/**
 * The durable job outbox's types: typed job kinds, the store port and each kind's retry policy.
 *
 * Every feature that reaches outside the process (email, push, webhooks, bots) adds its kinds to JobMap by
 * declaration merging (`declare module '…/jobs/types.ts' { interface JobMap { 'email.send': EmailJob } }`),
 * so enqueueing and handling a kind are checked against one payload type.
 */
export interface JobMap {}

export type JobKind = keyof JobMap & string;

export interface NewJob {
  kind: string;
  /** Enqueueing an existing key keeps the first job: an event handled twice still does its work once. */
  idempotencyKey: string;
  payload: unknown;
  runAt: Date;
}

export interface LeasedJob {
  id: string;
  kind: string;
  idempotencyKey: string;
  payload: unknown;
  /** Including this one. */
  attempts: number;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface JobRecord extends LeasedJob {
  status: JobStatus;
  runAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Where jobs live (server/db/jobs.ts). Finishing calls are guarded by the lease: a worker whose lease ran out changes nothing. */
export interface JobStore {
  /** Adds the job unless its idempotency key exists; answers whether it was added. */
  enqueue(job: NewJob): Promise<boolean>;
  /**
   * Leases up to `limit` due jobs (pending with runAt <= now, or running with an expired lease) of the kinds in
   * `leaseMsByKind` to `workerId`, oldest runAt first, each until now + its kind's lease, counting an attempt each.
   * Concurrent workers never get the same job.
   */
  claim(leaseMsByKind: ReadonlyMap<string, number>, limit: number, workerId: string, now: Date): Promise<LeasedJob[]>;
  complete(id: string, workerId: string, now: Date): Promise<void>;
  /** Back to pending until `runAt`, keeping the error. */
  retry(id: string, workerId: string, runAt: Date, error: string, now: Date): Promise<void>;
  /** Dead letter: no more attempts; the error says why. */
  bury(id: string, workerId: string, error: string, now: Date): Promise<void>;
  get(id: string): Promise<JobRecord | null>;
  /** Jobs by kind and status, for metrics and the console. */
  counts(): Promise<{ kind: string; status: JobStatus; count: number }[]>;
}

export interface RetryPolicy {
  /** Attempts before the job is buried (the first run included). */
  maxAttempts: number;
  /** Pause after the first failure; it doubles each time, up to maxDelayMs, with jitter (backoff.ts). */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * A run taking longer is abandoned and counted as a failure. The job is leased for twice this and 5 s (worker.ts),
   * so a live run is never taken over, and a job held by a crashed node waits that long for another.
   */
  timeoutMs: number;
}

/** When to try again and when to give up; for kinds whose run timeout follows from something else (a request's). */
export type RetrySchedule = Omit<RetryPolicy, 'timeoutMs'>;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000, timeoutMs: 30_000 };

/** A failure that retrying cannot fix (an address refused, a receiver gone): the job is buried at once. */
export class PermanentJobError extends Error {}
