/**
 * Messages persisted per second through Parley's real write path (visitors sending over sockets, each ack
 * after the commit), against raw better-sqlite3 inserts on the same disk with the server's pragmas; and the
 * writer thread's own statements alone, on a copy of the server's database, for the ceiling they set. Then the
 * same comparison on the local PostgreSQL (persistence-postgres.ts).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { newId } from '../server/app/ids.ts';
import type { Append } from '../server/db/group-commit.ts';
import { appendRows } from '../server/db/sqlite-append-rows.ts';
import { cachedStatements, openSqlite } from '../server/db/sqlite-connection.ts';
import type { BenchConfig } from './config.ts';
import { measurePostgresPersistence, type PostgresPersistence } from './persistence-postgres.ts';
import type { ClosedLoopResult } from './load/patterns.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import type { ProbeStats } from './server-probe.ts';
import type { Stage } from './side-by-side.ts';
import { round } from './stats.ts';

/** Upper bound on rows per raw measurement, whatever the disk. */
const MAX_ROWS = 2_000_000;

export interface PersistenceResult {
  writePath: ClosedLoopResult & { server: ProbeStats };
  /** Messages committed per second through Parley (acks in the measured window). */
  parleyPerSecond: number;
  /** Mean of the raw runs just before and just after Parley's (this disk's fsync rate drifts). */
  rawSingleRowPerSecond: number;
  rawBatch100PerSecond: number;
  rawRuns: RawRates[];
  /** Parley over raw single-row autocommit inserts. */
  ratio: number;
  writerAlone: WriterAlone;
  /** The same comparison on the local PostgreSQL, or why it was skipped. */
  postgres: PostgresPersistence;
}

/** The writer thread's statements (appendRows) with nothing around them: no sockets, no thread hops, a core of its own. */
interface WriterAlone {
  batch: number;
  conversations: number;
  perSecond: number;
}

/** About the group commit's mean batch in the throughput section's closed loop. */
const WRITER_BATCH = 60;

interface RawRates {
  singleRow: number;
  batch100: number;
}

export async function measurePersistence(stage: Stage, config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<PersistenceResult> {
  const { visitors, warmupMs, durationMs, rawDurationMs } = config.persistence;
  const { server, generator } = stage.parley;
  const before = rawInsertRates(join(stage.dataDir, 'raw-before.db'), rawDurationMs);
  await server.probe.call('stats', {}, 5_000);
  const measured = await profiler.around(server, 'write-path', () =>
    generator.rpc.call('writePath', { url: server.url, site: stage.writeSite, visitors, warmupMs, durationMs }, warmupMs + durationMs + 120_000),
  );
  const writePath = { ...measured, server: await server.probe.call('stats', {}, 5_000) };
  const after = rawInsertRates(join(stage.dataDir, 'raw-after.db'), rawDurationMs);
  const writerAlone = writerAloneRate(join(stage.dataDir, 'parley.db'), join(stage.dataDir, 'writer-alone.db'), visitors, rawDurationMs);
  const rawSingleRowPerSecond = Math.round((before.singleRow + after.singleRow) / 2);
  const rawBatch100PerSecond = Math.round((before.batch100 + after.batch100) / 2);
  log(`persistence: parley ${writePath.ackedPerSecond} msg/s, raw SQLite ${rawSingleRowPerSecond} rows/s (${rawBatch100PerSecond} in 100-row transactions), writer alone ${writerAlone.perSecond} msg/s`);
  const postgres = await measurePostgresPersistence(config.persistence, log);
  return {
    writePath,
    parleyPerSecond: writePath.ackedPerSecond,
    rawSingleRowPerSecond,
    rawBatch100PerSecond,
    rawRuns: [before, after],
    ratio: round(writePath.ackedPerSecond / rawSingleRowPerSecond),
    writerAlone,
    postgres,
  };
}

/**
 * Visitor messages to the open conversations of a copy of the server's database (VACUUM INTO reads a snapshot
 * of the live file), WRITER_BATCH per IMMEDIATE transaction, through the writer thread's own appendRows and
 * the server's pragmas (synchronous=FULL): how fast the writer could go if nothing else wanted the cores.
 */
function writerAloneRate(serverFile: string, file: string, visitors: number, durationMs: number): WriterAlone {
  const live = new Database(serverFile, { readonly: true });
  try {
    live.exec(`VACUUM INTO '${file.replace(/'/g, "''")}'`);
  } finally {
    live.close();
  }
  const db = openSqlite(file);
  try {
    // As many as the closed loops have visitors: the same spread of the writes over the indexes' pages.
    const open = db.prepare(`SELECT id, visitorId FROM Conversation WHERE status <> 'resolved' ORDER BY queuedAt DESC LIMIT ?`).all(visitors) as { id: string; visitorId: string }[];
    if (open.length === 0) throw new Error('the server has no open conversation to write to');
    const prepare = cachedStatements(db);
    let sent = 0;
    const batch = (): Append[] =>
      Array.from({ length: WRITER_BATCH }, () => {
        const c = open[sent++ % open.length]!;
        const body = 'Could you check the delivery date of order 48213, please? Thanks!';
        return { conversationId: c.id, message: { authorKind: 'visitor', authorId: c.visitorId, body, clientId: crypto.randomUUID() }, guard: { visitorId: c.visitorId, open: true } };
      });
    const start = performance.now();
    while (performance.now() - start < durationMs && sent < MAX_ROWS) {
      const appends = batch();
      db.exec('BEGIN IMMEDIATE');
      const outcomes = appendRows(prepare, appends, appends.map(() => newId()));
      db.exec('COMMIT');
      if (outcomes.some((o) => !o.ok || o.rows === null)) throw new Error('a conversation refused a message');
    }
    return { batch: WRITER_BATCH, conversations: open.length, perSecond: Math.round(sent / ((performance.now() - start) / 1000)) };
  } finally {
    db.close();
  }
}

/** The message table's shape and keys, WAL and synchronous=FULL like the server: one writer, as fast as it goes. */
function rawInsertRates(file: string, durationMs: number): RawRates {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE message (
      id TEXT PRIMARY KEY, conversationId TEXT NOT NULL, seq INTEGER NOT NULL, authorKind TEXT NOT NULL,
      authorId TEXT, body TEXT NOT NULL, clientId TEXT, createdAt INTEGER NOT NULL,
      UNIQUE (conversationId, seq), UNIQUE (conversationId, clientId))`);
    const insert = db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    let seq = 0;
    const row = () => {
      seq++;
      insert.run(`m${seq}`, `c${seq % 1000}`, seq, 'visitor', 'v1', 'Could you check the delivery date of order 48213, please? Thanks!', `k${seq}`, Date.now());
    };
    const batch = db.transaction(() => {
      for (let i = 0; i < 100; i++) row();
    });
    const rate = (step: () => void, rowsPerStep: number) => {
      const start = performance.now();
      let rows = 0;
      while (performance.now() - start < durationMs && rows < MAX_ROWS) {
        step();
        rows += rowsPerStep;
      }
      return Math.round(rows / ((performance.now() - start) / 1000));
    };
    return { singleRow: rate(row, 1), batch100: rate(batch, 100) };
  } finally {
    db.close();
  }
}
