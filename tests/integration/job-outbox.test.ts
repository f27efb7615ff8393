/**
 * The durable job outbox against real databases (a temporary SQLite file, and a throwaway PostgreSQL schema when
 * reachable): idempotent enqueue, exclusive leases, retries with growing backoff, dead letters, a crashed worker's
 * jobs taken over after its lease (each job's lease its own kind's), and disjoint batches for concurrent workers on PostgreSQL (SKIP LOCKED).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSqlStatements, takeSqlCounts } from '../../bench/profile/sql-counter.ts';
import { migrate } from '../../prisma/migrate.ts';
import { newId } from '../../server/app/ids.ts';
import { createDatabase, type Database } from '../../server/db/client.ts';
import { PrismaJobStore } from '../../server/db/jobs.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import { retryDelayMs } from '../../server/jobs/backoff.ts';
import { JobOutbox } from '../../server/jobs/outbox.ts';
import { PermanentJobError, type JobStore } from '../../server/jobs/types.ts';
import { JobWorker } from '../../server/jobs/worker.ts';
import { dropSchema, postgresAvailable, throwawaySchema } from '../support/postgres.ts';

declare module '../../server/jobs/types.ts' {
  interface JobMap {
    'test.deliver': { to: string };
    'test.slow': { to: string };
  }
}

countSqlStatements();

const quiet = { info() {}, warn() {}, error() {} };
const policy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 200 };
/** A kind whose runs may take far longer (a bot turn's 90 s). */
const slowPolicy = { ...policy, timeoutMs: 90_000 };
/** What the worker leases a job for: twice its kind's run timeout and 5 s. */
const leaseMs = (timeoutMs: number) => timeoutMs * 2 + 5_000;

function suite(name: string, open: () => Promise<{ database: Database; cleanup: () => Promise<void> | void }>) {
  describe(name, { timeout: 30_000 }, () => {
    let database: Database;
    let cleanup: () => Promise<void> | void;
    let store: PrismaJobStore;
    const clock = new ManualClock(Date.parse('2026-12-05T10:00:00Z'));

    beforeAll(async () => {
      ({ database, cleanup } = await open());
      store = new PrismaJobStore(database.prisma, newId, database.provider);
    });
    afterAll(async () => {
      await database?.close();
      await cleanup?.();
    });

    const worker = (workerId: string, run: (to: string) => Promise<void>) => {
      const w = new JobWorker({ store, clock, log: quiet, workerId, random: () => 1 });
      w.handle('test.deliver', (payload) => run(payload.to), policy);
      return w;
    };

    it('keeps one job per idempotency key', async () => {
      const outbox = new JobOutbox(store, clock);
      expect(await outbox.enqueue('test.deliver', 'dup-1', { to: 'a' })).toBe(true);
      expect(await outbox.enqueue('test.deliver', 'dup-1', { to: 'b' })).toBe(false);
      const delivered: string[] = [];
      await worker('w1', async (to) => void delivered.push(to)).drainOnce();
      expect(delivered).toEqual(['a']);
      expect(await worker('w1', async (to) => void delivered.push(to)).drainOnce()).toBe(0);
    });

    it('writes jobs enqueued together in one statement, one per key, and still answers which were new', async () => {
      const outbox = new JobOutbox(store, clock);
      expect(await outbox.enqueue('test.deliver', 'batch-old', { to: 'old' })).toBe(true);
      const added = await Promise.all([
        outbox.enqueue('test.deliver', 'batch-1', { to: 'one' }),
        outbox.enqueue('test.deliver', 'batch-2', { to: 'two' }),
        outbox.enqueue('test.deliver', 'batch-1', { to: 'one again' }),
        outbox.enqueue('test.deliver', 'batch-old', { to: 'old again' }),
      ]);
      expect(added).toEqual([true, true, false, false]);
      const delivered: string[] = [];
      await worker('w1', async (to) => void delivered.push(to)).drainOnce();
      expect(delivered.sort()).toEqual(['old', 'one', 'two']);
      takeSqlCounts();
      const clean = await Promise.all(['batch-3', 'batch-4', 'batch-3'].map((key) => outbox.enqueue('test.deliver', key, { to: key })));
      expect(clean).toEqual([true, true, false]);
      // Counted in this process, where the other database's suite may be migrating meanwhile: its statements differ.
      expect(takeSqlCounts()['INSERT Job']).toBe(1);
      await worker('w1', async (to) => void delivered.push(to)).drainOnce();
      expect(delivered.slice(3).sort()).toEqual(['batch-3', 'batch-4']);
    });

    it('retries a failing job with a growing pause, then buries it with the last error', async () => {
      const outbox = new JobOutbox(store, clock);
      await outbox.enqueue('test.deliver', 'fails', { to: 'down' });
      let calls = 0;
      const w = worker('w1', async () => {
        calls++;
        throw new Error(`refused ${calls}`);
      });
      expect(await w.drainOnce()).toBe(1);
      const [job] = await database.prisma.job.findMany({ where: { idempotencyKey: 'fails' } });
      expect(job!.status).toBe('pending');
      expect(job!.runAt.getTime() - clock.now()).toBe(retryDelayMs(1, policy, () => 1));
      expect(await w.drainOnce()).toBe(0); // not due yet
      clock.advance(retryDelayMs(1, policy, () => 1));
      expect(await w.drainOnce()).toBe(1);
      const second = (await store.get(job!.id))!;
      expect(second.runAt.getTime() - clock.now()).toBe(retryDelayMs(2, policy, () => 1));
      expect(retryDelayMs(2, policy, () => 1)).toBe(2 * retryDelayMs(1, policy, () => 1));
      clock.advance(retryDelayMs(2, policy, () => 1));
      expect(await w.drainOnce()).toBe(1);
      const dead = (await store.get(job!.id))!;
      expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastError: 'refused 3' });
      expect(calls).toBe(3);
    });

    it('buries a permanent failure at once, and records a timeout as a failure', async () => {
      const outbox = new JobOutbox(store, clock);
      await outbox.enqueue('test.deliver', 'permanent', { to: 'gone' });
      await outbox.enqueue('test.deliver', 'hangs', { to: 'slow' });
      await worker('w1', async (to) => {
        if (to === 'gone') throw new PermanentJobError('mailbox does not exist');
        await new Promise(() => {}); // never answers
      }).drainOnce();
      const jobs = await database.prisma.job.findMany({ where: { idempotencyKey: { in: ['permanent', 'hangs'] } }, orderBy: { idempotencyKey: 'asc' } });
      expect(jobs.map((j) => [j.idempotencyKey, j.status, j.lastError])).toEqual([
        ['hangs', 'pending', `timed out after ${policy.timeoutMs} ms`],
        ['permanent', 'dead', 'mailbox does not exist'],
      ]);
      await database.prisma.job.deleteMany({ where: { idempotencyKey: 'hangs' } });
    });

    it("takes over a crashed worker's job once its lease has run out, and the late worker cannot finish it", async () => {
      const outbox = new JobOutbox(store, clock);
      await outbox.enqueue('test.deliver', 'crash', { to: 'x' });
      const leased = await store.claim(new Map([['test.deliver', 10_000]]), 10, 'crashed', new Date(clock.now()));
      expect(leased.map((j) => j.idempotencyKey)).toEqual(['crash']);
      const delivered: string[] = [];
      expect(await worker('w2', async (to) => void delivered.push(to)).drainOnce()).toBe(0); // still leased
      clock.advance(10_001);
      expect(await worker('w2', async (to) => void delivered.push(to)).drainOnce()).toBe(1);
      expect(delivered).toEqual(['x']);
      await store.retry(leased[0]!.id, 'crashed', new Date(clock.now()), 'late', new Date(clock.now()));
      expect(await store.get(leased[0]!.id)).toMatchObject({ status: 'done', attempts: 2, lastError: null });
    });

    it("leases each job for its own kind: a crashed worker's quick job is taken over before its slow one", async () => {
      const outbox = new JobOutbox(store, clock);
      await outbox.enqueue('test.deliver', 'quick-of-crashed', { to: 'quick' });
      await outbox.enqueue('test.slow', 'slow-of-crashed', { to: 'slow' });
      const bothKinds = (workerId: string, jobStore: JobStore, run: (to: string) => Promise<void>) => {
        const w = new JobWorker({ store: jobStore, clock, log: quiet, workerId, random: () => 1 });
        w.handle('test.deliver', (payload) => run(payload.to), policy);
        w.handle('test.slow', (payload) => run(payload.to), slowPolicy);
        return w;
      };
      // The worker leases both jobs and dies before running them.
      const diesAfterClaim: JobStore = Object.assign(Object.create(store), {
        claim: async (...args: Parameters<JobStore['claim']>) => {
          await store.claim(...args);
          return [];
        },
      });
      const leasedAt = clock.now();
      await bothKinds('crashed', diesAfterClaim, async () => {}).drainOnce();
      const leaseEnds = await database.prisma.job.findMany({ where: { idempotencyKey: { in: ['quick-of-crashed', 'slow-of-crashed'] } }, orderBy: { idempotencyKey: 'asc' } });
      expect(leaseEnds.map((j) => [j.idempotencyKey, j.leasedBy, j.leaseUntil!.getTime() - leasedAt])).toEqual([
        ['quick-of-crashed', 'crashed', leaseMs(policy.timeoutMs)],
        ['slow-of-crashed', 'crashed', leaseMs(slowPolicy.timeoutMs)],
      ]);
      const delivered: string[] = [];
      const survivor = bothKinds('w2', store, async (to) => void delivered.push(to));
      clock.advance(leaseMs(policy.timeoutMs) + 1);
      expect(await survivor.drainOnce()).toBe(1);
      expect(delivered).toEqual(['quick']); // the slow job is still leased to the dead worker
      clock.advance(leaseMs(slowPolicy.timeoutMs) - leaseMs(policy.timeoutMs));
      expect(await survivor.drainOnce()).toBe(1);
      expect(delivered).toEqual(['quick', 'slow']);
    });

    it('a started worker runs what is enqueued without waiting for its poll', async () => {
      let firstPoll!: () => void;
      const polled = new Promise<void>((resolve) => (firstPoll = resolve));
      const watched: JobStore = Object.assign(Object.create(store), {
        claim: async (...args: Parameters<JobStore['claim']>) => {
          const jobs = await store.claim(...args);
          firstPoll();
          return jobs;
        },
      });
      let w!: JobWorker;
      const done = new Promise<string>((resolve) => {
        w = new JobWorker({ store: watched, clock, log: quiet, workerId: 'live', pollMs: 3_600_000 });
        w.handle('test.deliver', async ({ to }) => resolve(to), policy);
      });
      w.start();
      await polled; // its first poll found nothing; the next is an hour away
      await new JobOutbox(store, clock, () => w.kick()).enqueue('test.deliver', 'kicked', { to: 'now' });
      expect(await done).toBe('now');
      await w.stop();
    });

    it('counts jobs by kind and status', async () => {
      const counts = await store.counts();
      expect(counts).toEqual(expect.arrayContaining([{ kind: 'test.deliver', status: 'dead', count: 2 }]));
    });
  });
}

suite('job outbox on SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-jobs-'));
  const url = `file:${join(dir, 'jobs.db')}`;
  await migrate(url);
  return { database: createDatabase(url), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});

describe.skipIf(!postgresAvailable)('job outbox on PostgreSQL', () => {
  const { schema, url } = throwawaySchema();
  const migrated = migrate(url);
  afterAll(() => dropSchema(schema));
  suite('store and worker', async () => {
    await migrated;
    return { database: createDatabase(url), cleanup: () => {} };
  });

  it('concurrent workers lease disjoint jobs (SKIP LOCKED), and every job exactly once', { timeout: 30_000 }, async () => {
    await migrated;
    const databases = [createDatabase(url), createDatabase(url), createDatabase(url)];
    try {
      const stores = databases.map((d) => new PrismaJobStore(d.prisma, newId, 'postgresql'));
      const now = new Date();
      await Promise.all(Array.from({ length: 60 }, (_, i) => stores[0]!.enqueue({ kind: 'test.race', idempotencyKey: `race-${i}`, payload: {}, runAt: now })));
      const lease = new Map([['test.race', 60_000]]);
      const rounds = await Promise.all(
        stores.flatMap((s, w) => [0, 1, 2].map(() => s.claim(lease, 10, `w${w}`, now))),
      );
      const keys = rounds.flat().map((j) => j.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length); // nobody got a job twice
      expect(keys.length).toBeGreaterThan(0);
      const rest = await stores[0]!.claim(lease, 100, 'w0', now);
      expect(keys.length + rest.length).toBe(60); // and none was left unleased
    } finally {
      await Promise.all(databases.map((d) => d.close()));
    }
  });
});
