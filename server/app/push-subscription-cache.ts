/**
 * Which browsers each agent has subscribed for push, kept per node so that a visitor's message costs no database
 * round trip to learn whether its agent has any (without one, the message needs no alert). Loaded on first use per agent; dropped when a
 * subscription changes, here and, through `peers`, on every other node of a cluster. Bounded: the agents asked
 * about least recently are dropped first, and an entry older than `maxAgeMs` is read again, so a change whose
 * word never reached this node (Redis away) is seen within that time anyway.
 */
import type { Clock } from '../domain/clock.ts';
import type { AlertStore, PushSubscriptionRecord } from './alert-ports.ts';

/** A subscription saved, deleted or found gone: whose it is now, and its browser's endpoint. */
export interface SubscriptionChange {
  agentId: string;
  endpoint: string;
}

/** The other nodes of a cluster: told of each change here, and telling this node of theirs. */
export interface SubscriptionPeers {
  tell(change: SubscriptionChange): void;
  hear(listener: (change: SubscriptionChange) => void): void;
}

interface Entry {
  loading: Promise<PushSubscriptionRecord[]>;
  /** Set once loaded; until then a change drops the entry whatever it is about (the load may have read before it). */
  records?: PushSubscriptionRecord[];
  loadedAt: number;
}

const PUSH_CACHE_LIMITS = { maxAgents: 1_000, maxAgeMs: 60_000 };

export class PushSubscriptionCache {
  /** By agent, least recently used first (a Map keeps insertion order; a hit moves the entry to the end). */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Pick<AlertStore, 'subscriptions'>,
    private readonly clock: Clock,
    private readonly peers?: SubscriptionPeers,
    private readonly limits = PUSH_CACHE_LIMITS,
  ) {
    peers?.hear((change) => this.forget(change));
  }

  subscriptions(agentId: string): Promise<PushSubscriptionRecord[]> {
    const entry = this.entries.get(agentId);
    this.entries.delete(agentId);
    if (entry && this.clock.now() - entry.loadedAt < this.limits.maxAgeMs) {
      this.entries.set(agentId, entry);
      return entry.loading;
    }
    return this.load(agentId);
  }

  /** A subscription changed on this node (after the commit): dropped here, and every other node is told (of these two fields only). */
  changed({ agentId, endpoint }: SubscriptionChange): void {
    this.forget({ agentId, endpoint });
    this.peers?.tell({ agentId, endpoint });
  }

  /**
   * Drops what the change makes stale: the agent's list, the list of whoever held the endpoint before (a browser
   * signed in as someone else takes its subscription along), and any list still loading.
   */
  forget({ agentId, endpoint }: SubscriptionChange): void {
    for (const [id, entry] of this.entries) {
      if (id === agentId || !entry.records || entry.records.some((s) => s.endpoint === endpoint)) this.entries.delete(id);
    }
  }

  private load(agentId: string): Promise<PushSubscriptionRecord[]> {
    const entry: Entry = { loading: this.store.subscriptions(agentId), loadedAt: this.clock.now() };
    entry.loading.then(
      (records) => void (entry.records = records),
      () => this.entries.get(agentId) === entry && this.entries.delete(agentId),
    );
    this.entries.set(agentId, entry);
    if (this.entries.size > this.limits.maxAgents) this.entries.delete(this.entries.keys().next().value!);
    return entry.loading;
  }
}
