/** One site's waiting line, kept sorted by (queuedAt, id) so order never depends on insertion order. */

export interface QueueKey {
  readonly id: string;
  readonly queuedAt: number;
}

/** FIFO by queuedAt; equal times fall back to id so every replica of the engine agrees. */
export function compareQueued(a: QueueKey, b: QueueKey): number {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export class SiteQueue {
  private readonly items: QueueKey[] = [];
  /** Bumped on every insert or removal: a cheap "positions may have moved" signal. */
  version = 0;

  get size(): number {
    return this.items.length;
  }

  head(): QueueKey | undefined {
    return this.items[0];
  }

  /** Inserts and returns the 1-based position taken. */
  insert(key: QueueKey): number {
    const at = this.lowerBound(key);
    this.items.splice(at, 0, { id: key.id, queuedAt: key.queuedAt });
    this.version++;
    return at + 1;
  }

  remove(key: QueueKey): boolean {
    const at = this.lowerBound(key);
    if (this.items[at]?.id !== key.id) return false;
    this.items.splice(at, 1);
    this.version++;
    return true;
  }

  ids(): string[] {
    return this.items.map((k) => k.id);
  }

  private lowerBound(key: QueueKey): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareQueued(this.items[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
