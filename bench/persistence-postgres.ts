/**
 * The persistence section's PostgreSQL rows, on a throwaway schema of the local server (POSTGRES_URL): raw `pg`
 * single-row autocommit inserts and raw 100-row transactions into a table of the message table's shape and keys,
 * against Parley's PostgreSQL write path (the group commit over pg-appends.ts, as the server runs it, without the
 * sockets around it) sending visitor messages to their open conversations.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import pg from 'pg';
import { devPostgresUrl, parseDatabaseUrl } from '../prisma/database-url.ts';
import { newId } from '../server/app/ids.ts';
import { createDatabase } from '../server/db/client.ts';
import { GroupCommit } from '../server/db/group-commit.ts';
import { pgBatches } from '../server/db/pg-appends.ts';
import { NODE_TS, spawnTracked } from './processes.ts';
import { round } from './stats.ts';

/** Upper bound on rows per raw measurement. */
const MAX_ROWS = 2_000_000;
const BODY = 'Could you check the delivery date of order 48213, please? Thanks!';

export type PostgresPersistence =
  | { skipped: string }
  | {
      database: string;
      /** Closed-loop senders through the group commit, one open conversation each. */
      senders: number;
      parleyPerSecond: number;
      /** Messages per batch the group commit wrote, on average. */
      meanBatch: number;
      /** Mean of the raw runs just before and just after Parley's. */
      rawSingleRowPerSecond: number;
      rawBatch100PerSecond: number;
      /** Parley over raw 100-row transactions. */
      ratio: number;
    };

export async function measurePostgresPersistence(
  { visitors, warmupMs, durationMs, rawDurationMs }: { visitors: number; warmupMs: number; durationMs: number; rawDurationMs: number },
  log: (line: string) => void,
): Promise<PostgresPersistence> {
  const admin = new pg.Client({ connectionString: devPostgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (error) {
    const skipped = `PostgreSQL at ${new URL(devPostgresUrl).host} is unreachable (set POSTGRES_URL): ${String(error)}`;
    log(`persistence: PostgreSQL rows skipped, ${skipped}`);
    return { skipped };
  }
  const schema = `parley_bench_${randomBytes(6).toString('hex')}`;
  const url = `${devPostgresUrl}${devPostgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  try {
    await migrate(url);
    const before = await rawInsertRates(url, rawDurationMs);
    const parley = await parleyRate(url, visitors, warmupMs, durationMs);
    const after = await rawInsertRates(url, rawDurationMs);
    const rawSingleRowPerSecond = Math.round((before.singleRow + after.singleRow) / 2);
    const rawBatch100PerSecond = Math.round((before.batch100 + after.batch100) / 2);
    log(`persistence: parley on PostgreSQL ${parley.perSecond} msg/s (batches of ${parley.meanBatch}), raw pg ${rawSingleRowPerSecond} rows/s (${rawBatch100PerSecond} in 100-row transactions)`);
    return {
      database: new URL(devPostgresUrl).host,
      senders: visitors,
      parleyPerSecond: parley.perSecond,
      meanBatch: parley.meanBatch,
      rawSingleRowPerSecond,
      rawBatch100PerSecond,
      ratio: round(parley.perSecond / rawBatch100PerSecond),
    };
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

/** In a child process: the schema engine is WebAssembly, which this process was not started to load. */
async function migrate(url: string): Promise<void> {
  const child = spawnTracked(process.execPath, [...NODE_TS, 'prisma/migrate.ts'], { env: { ...process.env, DATABASE_URL: url }, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`migrating the bench's PostgreSQL schema failed (exit ${code})`);
}

/** `senders` visitors, each sending its next message when the last is committed, for durationMs after warmupMs. */
async function parleyRate(url: string, senders: number, warmupMs: number, durationMs: number): Promise<{ perSecond: number; meanBatch: number }> {
  const database = createDatabase(url);
  if (database.provider !== 'postgresql') throw new Error('expected PostgreSQL');
  try {
    const { prisma } = database;
    await prisma.site.create({ data: { id: 's1', name: 'Bench', publicKey: 'pk_bench', allowedOrigins: [], widgetSettings: {}, identitySecret: 'x' } });
    const visitorIds = Array.from({ length: senders }, () => newId());
    await prisma.visitor.createMany({ data: visitorIds.map((id) => ({ id, siteId: 's1', attributes: {} })) });
    const conversations = visitorIds.map((visitorId) => ({ id: newId(), visitorId }));
    await prisma.conversation.createMany({ data: conversations.map(({ id, visitorId }) => ({ id, siteId: 's1', visitorId, status: 'active' as const, queuedAt: new Date() })) });

    let batches = 0;
    let batched = 0;
    const write = pgBatches(database.rawPool, prisma, newId, (id) => id);
    const commits = new GroupCommit((appends, ready) => {
      batches++;
      batched += appends.length;
      return write(appends, ready);
    });
    const start = performance.now();
    const measureFrom = start + warmupMs;
    const end = measureFrom + durationMs;
    let acked = 0;
    await Promise.all(
      conversations.map(async ({ id, visitorId }) => {
        while (performance.now() < end) {
          const result = await commits.append(id, { authorKind: 'visitor', authorId: visitorId, body: BODY, clientId: crypto.randomUUID() }, { visitorId, open: true });
          if (!result) throw new Error('a conversation refused a message');
          if (performance.now() >= measureFrom && performance.now() < end) acked++;
        }
      }),
    );
    return { perSecond: Math.round(acked / (durationMs / 1000)), meanBatch: round(batched / batches) };
  } finally {
    await database.close();
  }
}

/** The message table's shape and keys; one connection, as fast as it goes. */
async function rawInsertRates(url: string, durationMs: number): Promise<{ singleRow: number; batch100: number }> {
  const target = parseDatabaseUrl(url);
  if (target.provider !== 'postgresql') throw new Error('expected PostgreSQL');
  const client = new pg.Client(target.config);
  await client.connect();
  const table = 'raw_message';
  try {
    await client.query(`CREATE TABLE ${table} (
      id TEXT PRIMARY KEY, "conversationId" TEXT NOT NULL, seq INTEGER NOT NULL, "authorKind" TEXT NOT NULL,
      "authorId" TEXT, body TEXT NOT NULL, "clientId" TEXT, "createdAt" TIMESTAMP(3) NOT NULL,
      UNIQUE ("conversationId", seq), UNIQUE ("conversationId", "clientId"))`);
    const insert = { name: 'raw-insert', text: `INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)` };
    let seq = 0;
    const row = () => {
      seq++;
      return client.query({ ...insert, values: [`m${seq}`, `c${seq % 1000}`, seq, 'visitor', 'v1', BODY, `k${seq}`, new Date()] });
    };
    const batch = async () => {
      await client.query('BEGIN');
      for (let i = 0; i < 100; i++) await row();
      await client.query('COMMIT');
    };
    const rate = async (step: () => Promise<unknown>, rowsPerStep: number) => {
      const start = performance.now();
      let rows = 0;
      while (performance.now() - start < durationMs && rows < MAX_ROWS) {
        await step();
        rows += rowsPerStep;
      }
      return Math.round(rows / ((performance.now() - start) / 1000));
    };
    return { singleRow: await rate(row, 1), batch100: await rate(batch, 100) };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.end();
  }
}
