/** The job outbox's table. Leases are guarded updates; PostgreSQL hands concurrent workers disjoint jobs with SKIP LOCKED. */
import type { IdGenerator } from '../app/ids.ts';
import type { JobRecord, JobStatus, JobStore, LeasedJob, NewJob } from '../jobs/types.ts';
import { Coalescer, type BatchRun } from '../app/coalescer.ts';
import { insertNewRows } from './row-inserts.ts';
import type { Job, PrismaClient } from './generated/sqlite/client.ts';

const JOB_COLUMNS = {
  id: 'text',
  kind: 'text',
  idempotencyKey: 'text',
  payload: 'jsonb',
  runAt: 'timestamp(3)',
  createdAt: 'timestamp(3)',
  updatedAt: 'timestamp(3)',
} as const;

export class PrismaJobStore implements JobStore {
  /**
   * Jobs enqueued in the same round of I/O are written by one statement: a burst of new conversations each
   * schedules a queue-wait check, and on SQLite every separate insert is its own commit (an fsync) on the main thread.
   */
  private readonly enqueues = new Coalescer(firstOfEachKey(async (jobs: NewJob[]) => (await this.enqueueMany(jobs)).map((value) => ({ status: 'fulfilled', value }))));

  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
    private readonly provider: 'sqlite' | 'postgresql',
  ) {}

  enqueue(job: NewJob): Promise<boolean> {
    return this.enqueues.add(job);
  }

  /** Inserts the jobs whose keys are new and answers, for each, whether it was added. */
  private async enqueueMany(jobs: NewJob[]): Promise<boolean[]> {
    const now = new Date();
    const rows = jobs.map((job) => ({ id: this.newId(), kind: job.kind, idempotencyKey: job.idempotencyKey, payload: JSON.stringify(job.payload), runAt: job.runAt, createdAt: now, updatedAt: now }));
    const added = await insertNewRows(this.prisma, this.provider, 'Job', JOB_COLUMNS, rows, 'idempotencyKey');
    return jobs.map((job) => added.has(job.idempotencyKey));
  }

  async claim(leaseMsByKind: ReadonlyMap<string, number>, limit: number, workerId: string, now: Date): Promise<LeasedJob[]> {
    const rows = this.provider === 'postgresql'
      ? await this.claimSkippingLocked(leaseMsByKind, limit, workerId, now)
      : await this.claimGuarded(leaseMsByKind, limit, workerId, now);
    return rows.map(toLeased);
  }

  /**
   * One statement: rows another worker is leasing at this moment are skipped rather than waited for. Each row's
   * lease comes from its kind's entry in the (kind, lease ms) pairs the arrays unnest into.
   */
  private claimSkippingLocked(leaseMsByKind: ReadonlyMap<string, number>, limit: number, workerId: string, now: Date): Promise<Job[]> {
    return this.prisma.$queryRawUnsafe<Job[]>(
      `UPDATE "Job" AS job
       SET "status" = 'running', "leaseUntil" = $2::timestamp(3) + lease."ms" * INTERVAL '1 millisecond', "leasedBy" = $1,
           "attempts" = job."attempts" + 1, "updatedAt" = $2
       FROM unnest($3::text[], $4::int[]) AS lease("kind", "ms")
       WHERE lease."kind" = job."kind" AND job."id" IN (
         SELECT "id" FROM "Job"
         WHERE "kind" = ANY($3::text[])
           AND (("status" = 'pending' AND "runAt" <= $2) OR ("status" = 'running' AND "leaseUntil" < $2))
         ORDER BY "runAt", "id" LIMIT $5
         FOR UPDATE SKIP LOCKED)
       RETURNING job.*`,
      workerId, now, [...leaseMsByKind.keys()], [...leaseMsByKind.values()], limit,
    );
  }

  /** One process works a SQLite file; each lease is still a guarded update, so a lost race takes nothing. */
  private async claimGuarded(leaseMsByKind: ReadonlyMap<string, number>, limit: number, workerId: string, now: Date): Promise<Job[]> {
    const due = { kind: { in: [...leaseMsByKind.keys()] }, OR: [{ status: 'pending', runAt: { lte: now } }, { status: 'running', leaseUntil: { lt: now } }] };
    const candidates = await this.prisma.job.findMany({ where: due, orderBy: [{ runAt: 'asc' }, { id: 'asc' }], take: limit, select: { id: true, kind: true } });
    const leased: Job[] = [];
    for (const { id, kind } of candidates) {
      const leaseUntil = new Date(now.getTime() + leaseMsByKind.get(kind)!);
      const { count } = await this.prisma.job.updateMany({
        where: { id, ...due },
        data: { status: 'running', leaseUntil, leasedBy: workerId, attempts: { increment: 1 }, updatedAt: now },
      });
      if (count === 1) leased.push((await this.prisma.job.findUniqueOrThrow({ where: { id } })));
    }
    return leased;
  }

  async complete(id: string, workerId: string, now: Date): Promise<void> {
    await this.finish(id, workerId, { status: 'done', leaseUntil: null, leasedBy: null, updatedAt: now });
  }

  async retry(id: string, workerId: string, runAt: Date, error: string, now: Date): Promise<void> {
    await this.finish(id, workerId, { status: 'pending', runAt, lastError: error, leaseUntil: null, leasedBy: null, updatedAt: now });
  }

  async bury(id: string, workerId: string, error: string, now: Date): Promise<void> {
    await this.finish(id, workerId, { status: 'dead', lastError: error, leaseUntil: null, leasedBy: null, updatedAt: now });
  }

  /** Only the lease holder may finish a job: one whose lease ran out and was taken over changes nothing. */
  private async finish(id: string, workerId: string, data: Partial<Omit<Job, 'payload'>>): Promise<void> {
    await this.prisma.job.updateMany({ where: { id, leasedBy: workerId, status: 'running' }, data });
  }

  async get(id: string): Promise<JobRecord | null> {
    const row = await this.prisma.job.findUnique({ where: { id } });
    return row && { ...toLeased(row), status: row.status as JobStatus, runAt: row.runAt, lastError: row.lastError, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  async counts() {
    const groups = await this.prisma.job.groupBy({ by: ['kind', 'status'], _count: { _all: true } });
    return groups.map((g) => ({ kind: g.kind, status: g.status as JobStatus, count: g._count._all }));
  }
}

function toLeased(row: Job): LeasedJob {
  return { id: row.id, kind: row.kind, idempotencyKey: row.idempotencyKey, payload: row.payload, attempts: row.attempts };
}

/** A key twice in one batch is one job: the first caller adds it, the later ones hear it was there. */
function firstOfEachKey(run: BatchRun<NewJob, boolean>): BatchRun<NewJob, boolean> {
  return async (jobs) => {
    const firstAt = new Map<string, number>();
    jobs.forEach((job, i) => firstAt.has(job.idempotencyKey) || firstAt.set(job.idempotencyKey, i));
    const outcomes = await run([...firstAt.values()].map((i) => jobs[i]!));
    const outcomeOf = new Map([...firstAt.keys()].map((key, u) => [key, outcomes[u]!]));
    return jobs.map((job, i) => {
      const outcome = outcomeOf.get(job.idempotencyKey)!;
      return firstAt.get(job.idempotencyKey) === i || outcome.status === 'rejected' ? outcome : { status: 'fulfilled', value: false };
    });
  };
}
