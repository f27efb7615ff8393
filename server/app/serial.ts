import { answerBatch, type Waiting } from './batch-answers.ts';

/**
 * Runs async tasks one at a time, in call order. Routing decisions and the database writes that
 * persist them must not interleave, or the in-memory engine and the database would disagree.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when everything queued so far has finished. */
  drain(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}

/** One SerialQueue per key, kept only while it has work: tasks of one key run in order, other keys run freely. */
export class KeyedSerialQueue {
  private readonly queues = new Map<string, { queue: SerialQueue; pending: number }>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = this.queues.get(key);
    if (!entry) this.queues.set(key, (entry = { queue: new SerialQueue(), pending: 0 }));
    const current = entry;
    current.pending++;
    return current.queue.run(task).finally(() => {
      if (--current.pending === 0) this.queues.delete(key);
    });
  }
}

/**
 * Items that arrive while a SerialQueue is busy wait for one turn together: a burst costs one turn (one decision,
 * one transaction) instead of one each. `handle` answers each item in order, or fails it alone.
 */
export class TurnBatch<I, R> {
  private pending: Waiting<I, R>[] = [];
  private turnTaken = false;

  constructor(
    private readonly serial: SerialQueue,
    private readonly handle: (items: I[]) => Promise<PromiseSettledResult<R>[]>,
  ) {}

  add(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.turnTaken) return;
      this.turnTaken = true;
      void this.serial.run(async () => {
        const batch = this.pending.splice(0);
        this.turnTaken = false;
        await answerBatch(batch, this.handle);
      });
    });
  }
}
