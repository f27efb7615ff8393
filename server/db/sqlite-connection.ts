/**
 * A SQLite connection as Parley opens it, the same for Prisma's (client.ts) and for the writer thread's
 * raw better-sqlite3 connection (sqlite-worker.ts).
 */
import Database from 'better-sqlite3';

// WAL lets readers run beside the writer; synchronous=FULL fsyncs every commit, so an acked message survives a crash.
// better-sqlite3 waits for a lock synchronously, blocking its thread: wait briefly, then fail (UNAVAILABLE) and let clients retry.
// Checkpoints every 4,000 pages (16 MB) instead of 1,000: under load the same pages are written again and again,
// and a checkpoint copies each once (on the send path's probe, commits took about 45 % less time).
export const SQLITE_PRAGMAS =
  'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 250; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 4000;';

/** SQLite silently keeps another journal mode when it cannot switch (e.g. in-memory databases). */
export function walRefused(file: string, mode: unknown): Error | null {
  return mode === 'wal' ? null : new Error(`SQLite ${file} refused WAL mode (journal_mode=${String(mode)})`);
}

/** A better-sqlite3 connection with Parley's pragmas, in WAL mode or not at all. */
export function openSqlite(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.exec(SQLITE_PRAGMAS);
    const refused = walRefused(file, db.pragma('journal_mode', { simple: true }));
    if (refused) throw refused;
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Statements are compiled once per connection and reused. */
export type Prepare = (sql: string) => Database.Statement;

/** A Prepare for `db` that compiles each statement on first use and keeps it. */
export function cachedStatements(db: Database.Database): Prepare {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}
