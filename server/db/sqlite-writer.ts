/**
 * The raw SQLite write path: a second better-sqlite3 connection to Prisma's file, on a thread of its own, for the
 * writes where Prisma's per-query cost dominates (appending messages). Its statements, commit and fsync then
 * run beside the event loop instead of on it. SQLite has one writer at a time, and better-sqlite3 waits for a lock
 * synchronously; so the two connections take turns in JavaScript instead: the thread holds the turn from the
 * batch sent to it until its last answer, and Prisma's transactions and Prisma's writes outside one hold it
 * while they run (client.ts).
 */
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Append } from './message-writer.ts';
import type { RowOutcome } from './sqlite-appends.ts';

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

  /** Someone is waiting for the turn. */
  get contended(): boolean {
    return this.waiting.length > 0;
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  async holding<T>(work: () => Promise<T>): Promise<T> {
    await this.take();
    try {
      return await work();
    } finally {
      this.give();
    }
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

/** What the writer thread is asked: these appends, in one transaction, with these message ids. */
export interface AppendRequest {
  appends: Append[];
  ids: string[];
}

/**
 * Its answers: `written` when the statements have run and the commit begins, then one outcome per append, or
 * why the transaction failed (SQLite's message and code).
 */
export type AppendReply = { written: true } | { outcomes: RowOutcome[] } | { error: { message: string; code?: string } };

interface Sent {
  ready: () => void;
  resolve: (outcomes: RowOutcome[]) => void;
  reject: (error: Error) => void;
}

export class SqliteWriter {
  private worker: Worker | null = null;
  /** Batches sent to the thread and not answered yet, oldest (the one it is working on) first. */
  private readonly sent: Sent[] = [];
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly turns: WriteTurns,
  ) {}

  /**
   * Writes `appends` in one IMMEDIATE transaction on the writer thread when it is this connection's turn, and
   * resolves once it is committed and on disk; a failed transaction rolls everything back and rejects. `ready`
   * is called when the thread can take the next batch: when this one's commit begins. A batch that comes while
   * the thread is busy joins the turn it holds, unless someone else is waiting for the turn: they go first.
   */
  async append(request: AppendRequest, ready: () => void): Promise<RowOutcome[]> {
    if (this.sent.length === 0 || this.turns.contended) await this.turns.take();
    return new Promise((resolve, reject) => {
      try {
        const worker = this.thread();
        this.sent.push({ ready, resolve, reject });
        worker.postMessage(request);
      } catch (error) {
        if (this.sent.length === 0) this.turns.give();
        reject(error as Error);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  /** Started on first use: the file exists by then (migrations ran), and a server that never writes never starts it. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    if (this.closed) throw new Error(`SQLite ${this.file} is closed`);
    // A plain module that registers the TypeScript loader first: threads do not inherit it. Nor anything else the
    // process was started with (preloads, say): the thread needs none of it.
    const worker = new Worker(new URL('./sqlite-worker.mjs', import.meta.url), { workerData: { file: this.file }, execArgv: [] });
    worker.unref();
    worker.on('message', (reply: AppendReply) => {
      if ('written' in reply) return this.sent[0]?.ready();
      const sent = this.answered();
      if ('outcomes' in reply) sent?.resolve(reply.outcomes);
      else sent?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (let sent = this.answered(); sent; sent = this.answered()) sent.reject(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`The SQLite writer thread exited (code ${code})`)));
    return (this.worker = worker);
  }

  /** The oldest batch sent, now answered; the turn goes back once none is left. */
  private answered(): Sent | undefined {
    const sent = this.sent.shift();
    if (sent && this.sent.length === 0) this.turns.give();
    return sent;
  }
}
