/**
 * The raw SQLite write path: a second better-sqlite3 connection to Prisma's file, for the writes where Prisma's
 * per-query cost dominates (appending messages). SQLite has one writer at a time, and better-sqlite3 waits for a
 * lock synchronously, blocking the event loop; so the two connections take turns in JavaScript instead. Prisma's
 * transactions and the batches here each hold the turn while they run. Prisma's single statements outside a
 * transaction need no turn: like a batch here, each starts and commits within one synchronous call, so the two
 * can never overlap.
 */
import Database from 'better-sqlite3';
import { WalSync } from './wal-sync.ts';

// WAL lets readers run beside the writer; synchronous=FULL fsyncs every commit, so an acked message survives a crash
// (the writer below syncs its own commits off the event loop instead).
// better-sqlite3 waits for a lock synchronously, blocking the event loop: wait briefly, then fail (UNAVAILABLE) and let clients retry.
// Checkpoints every 4,000 pages (16 MB) instead of 1,000: under load the same pages are written again and again,
// and a checkpoint copies each once (on the send path's probe, commits took about 45 % less time).
export const SQLITE_PRAGMAS =
  'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 250; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 4000;';

/** SQLite silently keeps another journal mode when it cannot switch (e.g. in-memory databases). */
export function walRefused(file: string, mode: unknown): Error | null {
  return mode === 'wal' ? null : new Error(`SQLite ${file} refused WAL mode (journal_mode=${String(mode)})`);
}

/** Whose turn it is to write: a FIFO lock. */
export class WriteTurns {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  take(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

/** Statements are compiled once per connection and reused. */
export type Prepare = (sql: string) => Database.Statement;

export class SqliteWriter {
  private db: Database.Database | null = null;
  private readonly wal: WalSync;
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly prepare: Prepare = (sql) => {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.open().prepare(sql)));
    return statement;
  };

  constructor(
    private readonly file: string,
    private readonly turns: WriteTurns,
  ) {
    this.wal = new WalSync(`${file}-wal`);
  }

  /**
   * Runs `work` in one IMMEDIATE transaction when it is this connection's turn: BEGIN, the statements, COMMIT,
   * all synchronously; an exception rolls everything back and rejects. Resolves once the commit is on disk:
   * its fsync runs on the thread pool while the event loop (and the next transaction) goes on.
   */
  async transaction<T>(work: (prepare: Prepare) => T): Promise<T> {
    await this.turns.take();
    let result: T;
    try {
      result = this.open().transaction(work).immediate(this.prepare);
    } finally {
      this.turns.give();
    }
    await this.wal.flush();
    return result;
  }

  close(): void {
    this.closed = true;
    this.wal.close();
    this.statements.clear();
    this.db?.close();
    this.db = null;
  }

  /** Opened on first use: the file exists by then (migrations ran), and a server that never writes never opens it. */
  private open(): Database.Database {
    if (this.db) return this.db;
    if (this.closed) throw new Error(`SQLite ${this.file} is closed`);
    const db = new Database(this.file);
    try {
      // Commits here skip SQLite's fsync (still crash-consistent in WAL mode); transaction() syncs them instead.
      db.exec(`${SQLITE_PRAGMAS} PRAGMA synchronous = NORMAL;`);
      const refused = walRefused(this.file, db.pragma('journal_mode', { simple: true }));
      if (refused) throw refused;
    } catch (error) {
      db.close();
      throw error;
    }
    return (this.db = db);
  }
}
