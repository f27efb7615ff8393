/** The job outbox's table. Leases are guarded updates; PostgreSQL hands concurrent workers disjoint jobs with SKIP LOCKED. */
import type { IdGenerator } from '../app/ids.ts';
import type { JobRecord, JobStatus, JobStore, LeasedJob, NewJob } from '../jobs/types.ts';
import { isUniqueViolation } from './errors.ts';
import type { Job, PrismaClient } from './generated/sqlite/client.ts';

export class PrismaJobStore implements JobStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
    private readonly provider: 'sqlite' | 'postgresql',
  ) {}

  async enqueue(job: NewJob): Promise<boolean> {
    try {
      await this.prisma.job.create({
        data: { id: this.newId(), kind: job.kind, idempotencyKey: job.idempotencyKey, payload: job.payload as object, runAt: job.runAt },
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async claim(kinds: readonly string[], limit: number, workerId: string, now: Date, leaseUntil: Date): Promise<LeasedJob[]> {
    const rows = this.provider === 'postgresql'
      ? await this.claimSkippingLocked(kinds, limit, workerId, now, leaseUntil)
      : await this.claimGuarded(kinds, limit, workerId, now, leaseUntil);
    return rows.map(toLeased);
  }

  /** One statement: rows another worker is leasing at this moment are skipped rather than waited for. */
  private claimSkippingLocked(kinds: readonly string[], limit: number, workerId: string, now: Date, leaseUntil: Date): Promise<Job[]> {
    return this.prisma.$queryRawUnsafe<Job[]>(
      `UPDATE "Job" SET "status" = 'running', "leaseUntil" = $1, "leasedBy" = $2, "attempts" = "attempts" + 1, "updatedAt" = $3
       WHERE "id" IN (
         SELECT "id" FROM "Job"
         WHERE "kind" = ANY($4::text[])
           AND (("status" = 'pending' AND "runAt" <= $3) OR ("status" = 'running' AND "leaseUntil" < $3))
         ORDER BY "runAt", "id" LIMIT $5
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      leaseUntil, workerId, now, [...kinds], limit,
    );
  }

  /** One process works a SQLite file; each lease is still a guarded update, so a lost race takes nothing. */
  private async claimGuarded(kinds: readonly string[], limit: number, workerId: string, now: Date, leaseUntil: Date): Promise<Job[]> {
    const due = { kind: { in: [...kinds] }, OR: [{ status: 'pending', runAt: { lte: now } }, { status: 'running', leaseUntil: { lt: now } }] };
    const candidates = await this.prisma.job.findMany({ where: due, orderBy: [{ runAt: 'asc' }, { id: 'asc' }], take: limit, select: { id: true } });
    const leased: Job[] = [];
    for (const { id } of candidates) {
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
