/**
 * Appending messages, many at once. A burst of sends from many visitors becomes one transaction (one commit,
 * one fsync) instead of one transaction each: group commit. Each send is still acknowledged only after the
 * commit that holds it. The batches are written by a WriteBatch: on PostgreSQL a raw statement (pg-appends.ts),
 * on SQLite the writer thread's (sqlite-batches.ts), and Prisma's (prisma-appends.ts) where those leave it.
 */
import type { AppendResult, NewMessage, SendGuard } from '../app/ports.ts';

export interface Append {
  conversationId: string;
  message: NewMessage;
  guard: SendGuard;
}

/** Null: the conversation does not exist or the guard refused. */
export type Outcome = PromiseSettledResult<AppendResult | null>;

/**
 * Writes `appends` in one transaction: one outcome each, in order; throws when the transaction itself failed.
 * A writer that can take the next batch before this one is committed (while it waits for the disk) says so by
 * calling `ready`; batches it is given are still committed one after another, in order.
 */
export type WriteBatch = (appends: Append[], ready: () => void) => Promise<Outcome[]>;

/** Told of every batch once written (or failed): how many appends it held and how long the write took. */
export type BatchObserver = (size: number, ms: number) => void;

export const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
export const rejected = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason });

/**
 * A WriteBatch from a writer of all-or-nothing transactions: a batch that fails is retried one append at a time,
 * so one bad send (a foreign attachment, a clientId another node stored meanwhile) fails alone.
 */
export function oneByOneOnFailure(inOneTransaction: (appends: Append[]) => Promise<(AppendResult | null)[]>): WriteBatch {
  return async (appends) => {
    try {
      return (await inOneTransaction(appends)).map(fulfilled);
    } catch (error) {
      if (appends.length === 1) throw error;
      const outcomes: Outcome[] = [];
      for (const a of appends) outcomes.push(await inOneTransaction([a]).then(([result]) => fulfilled(result ?? null), rejected));
      return outcomes;
    }
  };
}

interface Waiting extends Append {
  resolve: (result: AppendResult | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Queues appends and writes them in batches. A batch starts on the next turn of the event loop, so every send
 * that arrived in the same round of I/O joins it; under light load it holds one message, so latency is that of a
 * single write. What arrives meanwhile is the next batch, handed over as soon as the writer is ready for it: when
 * the last batch is written, or earlier when the writer says so (SQLite's thread, while it commits). Senders are
 * answered after the writer has the next batch, so the database works while this thread answers them.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  /** No batch is scheduled, and the writer is ready for one. */
  private idle = true;

  private readonly maxBatch: number;
  private readonly onBatch: BatchObserver | undefined;

  constructor(
    private readonly write: WriteBatch,
    options: { maxBatch?: number; onBatch?: BatchObserver } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
    this.onBatch = options.onBatch;
  }

  append(conversationId: string, message: NewMessage, guard: SendGuard): Promise<AppendResult | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ conversationId, message, guard, resolve, reject });
      if (!this.idle) return;
      this.idle = false;
      setImmediate(() => this.writeNext());
    });
  }

  private writeNext(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    let handedOn = false;
    const started = performance.now();
    const written = () => this.onBatch?.(batch.length, performance.now() - started);
    const ready = () => {
      if (handedOn) return;
      handedOn = true;
      if (this.queue.length > 0) this.writeNext();
      else this.idle = true;
    };
    this.write(batch, ready).then(
      (outcomes) => {
        written();
        ready();
        batch.forEach((w, i) => {
          const outcome = outcomes[i]!;
          if (outcome.status === 'fulfilled') w.resolve(outcome.value);
          else w.reject(outcome.reason);
        });
      },
      (error: unknown) => {
        written();
        ready();
        for (const w of batch) w.reject(error);
      },
    );
  }
}
