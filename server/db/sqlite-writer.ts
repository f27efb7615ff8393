/**
 * The raw SQLite write path, main-thread side: a second better-sqlite3 connection to Prisma's file, on a thread of
 * its own (sqlite-worker.ts), for the writes where Prisma's per-query cost dominates (appending messages). Its
 * statements, commit and fsync then run beside the event loop instead of on it. The thread holds the write turn
 * (sqlite-write-turns.ts) from the batch sent to it until its last answer.
 */
import { Worker } from 'node:worker_threads';
import type { WriteTurns } from './sqlite-write-turns.ts';
import type { AppendReply, AppendRequest, RowOutcome } from './sqlite-writer-protocol.ts';

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
