/**
 * Calls that arrive in the same round of I/O answered by one round trip: a burst of first messages becomes one
 * transaction (one commit, one fsync) and one read of their summaries, and a follower's arrivals one request to the
 * routing leader, instead of one each. Under light load a batch holds one call, so latency is that of a single
 * one. One batch runs at a time; what arrives meanwhile is the next. The group commit of sends (group-commit.ts)
 * does the same with the writer thread's early hand-over, which these Prisma rounds have no use for.
 */
import { answerBatch, type Waiting } from './batch-answers.ts';

export type Settled<R> = PromiseSettledResult<R>;

/** One outcome per item, in order: a batch can fail some items and answer the others. */
export type BatchRun<I, R> = (items: I[]) => Promise<Settled<R>[]>;

export class Coalescer<I, R> {
  private queue: Waiting<I, R>[] = [];
  private busy = false;

  constructor(
    private readonly run: BatchRun<I, R>,
    private readonly maxBatch = 200,
    /** Batches may overlap (a request to another node, which orders them itself): each round of I/O sends its own. */
    private readonly overlapping = false,
  ) {}

  add(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.busy) return;
      this.busy = true;
      setImmediate(() => void this.next());
    });
  }

  private async next(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.overlapping) {
      // What arrives from now on starts a batch of its own on its round of I/O, without waiting for this one.
      this.busy = this.queue.length > 0;
      if (this.busy) setImmediate(() => void this.next());
      return answerBatch(batch, this.run);
    }
    await answerBatch(batch, this.run);
    if (this.queue.length > 0) void this.next();
    else this.busy = false;
  }
}

/** A batch of reads by key: one query for all the keys, each answered with its row or null. */
export function readByKey<R>(readMany: (keys: string[]) => Promise<R[]>, keyOf: (row: R) => string): BatchRun<string, R | null> {
  return async (keys) => {
    const rows = await readMany([...new Set(keys)]);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => ({ status: 'fulfilled', value: byKey.get(key) ?? null }));
  };
}

/**
 * A batch of all-or-nothing writes in one transaction; when it fails, each item is tried alone, so one bad item
 * (a retry that another call stored meanwhile, a foreign attachment) fails by itself.
 */
export function oneTransactionOrEach<I, R>(together: (items: I[]) => Promise<R[]>, alone: (item: I) => Promise<R>): BatchRun<I, R> {
  return async (items) => {
    if (items.length > 1) {
      try {
        return (await together(items)).map((value) => ({ status: 'fulfilled', value }));
      } catch {
        // Each item alone below: the one at fault fails with its own error.
      }
    }
    return Promise.allSettled(items.map(alone));
  };
}
