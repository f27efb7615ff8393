/**
 * Rows a hot path would otherwise read on every use, kept per node: loaded on first use per key, dropped when a
 * change concerns them, here and, through `peers`, on every other node of a cluster. Bounded: the keys asked about
 * least recently are dropped first, and an entry older than `maxAgeMs` is read again, so a change whose word never
 * reached this node (Redis away, or made by another process such as the CLI) is seen within that time anyway.
 */
import type { Clock } from '../domain/clock.ts';

/** The other nodes of a cluster: told of each change here, and telling this node of theirs. */
export interface CachePeers<Change> {
  tell(change: Change): void;
  hear(listener: (change: Change) => void): void;
}

export interface CacheLimits {
  maxEntries: number;
  maxAgeMs: number;
}

interface Entry<V> {
  loading: Promise<V>;
  /** Set once loaded; until then a change drops the entry whatever it is about (the load may have read before it). */
  value?: { current: V };
  loadedAt: number;
}

export class NodeCache<V, Change> {
  /** Least recently used first (a Map keeps insertion order; a hit moves the entry to the end). */
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly load: (key: string) => Promise<V>,
    /** Whether a change makes a loaded entry stale. */
    private readonly isStale: (change: Change, key: string, value: V) => boolean,
    private readonly clock: Clock,
    private readonly limits: CacheLimits,
    private readonly peers?: CachePeers<Change>,
  ) {
    peers?.hear((change) => this.forget(change));
  }

  get(key: string): Promise<V> {
    return (this.fresh(key) ?? this.read(key)).loading;
  }

  /** For a caller that cannot wait: the value if loaded and fresh; otherwise undefined, and it is loaded for next time. */
  peek(key: string): V | undefined {
    return (this.fresh(key) ?? this.read(key)).value?.current;
  }

  /** Something changed on this node (after the commit): dropped here, and every other node is told. */
  changed(change: Change): void {
    this.forget(change);
    this.peers?.tell(change);
  }

  /** Drops what the change makes stale, and any entry still loading. */
  forget(change: Change): void {
    for (const [key, entry] of this.entries) {
      if (!entry.value || this.isStale(change, key, entry.value.current)) this.entries.delete(key);
    }
  }

  /** The entry for `key` if it is not too old, made the most recently used; an old one is dropped. */
  private fresh(key: string): Entry<V> | undefined {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (!entry || this.clock.now() - entry.loadedAt >= this.limits.maxAgeMs) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  private read(key: string): Entry<V> {
    const entry: Entry<V> = { loading: this.load(key), loadedAt: this.clock.now() };
    entry.loading.then(
      (current) => void (entry.value = { current }),
      () => this.entries.get(key) === entry && this.entries.delete(key),
    );
    this.entries.set(key, entry);
    if (this.entries.size > this.limits.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
