/**
 * Messages persisted per second through Parley's real write path (visitors sending over sockets, each ack
 * after the commit), against raw better-sqlite3 inserts on the same disk with the server's pragmas.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BenchConfig } from './config.ts';
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
}

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
  const rawSingleRowPerSecond = Math.round((before.singleRow + after.singleRow) / 2);
  const rawBatch100PerSecond = Math.round((before.batch100 + after.batch100) / 2);
  log(`persistence: parley ${writePath.ackedPerSecond} msg/s, raw SQLite ${rawSingleRowPerSecond} rows/s (${rawBatch100PerSecond} in 100-row transactions)`);
  return {
    writePath,
    parleyPerSecond: writePath.ackedPerSecond,
    rawSingleRowPerSecond,
    rawBatch100PerSecond,
    rawRuns: [before, after],
    ratio: round(writePath.ackedPerSecond / rawSingleRowPerSecond),
  };
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
