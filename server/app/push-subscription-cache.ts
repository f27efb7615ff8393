/**
 * Which browsers each agent has subscribed for push, kept per node (node-cache.ts) so that a visitor's message
 * costs no database round trip to learn whether its agent has any (without one, the message needs no alert).
 */
import type { Clock } from '../domain/clock.ts';
import type { AlertStore, PushSubscriptionRecord } from './alert-ports.ts';
import { NodeCache, type CacheLimits, type CachePeers } from './node-cache.ts';

/** A subscription saved, deleted or found gone: whose it is now, and its browser's endpoint. */
export interface SubscriptionChange {
  agentId: string;
  endpoint: string;
}

export type SubscriptionPeers = CachePeers<SubscriptionChange>;

const PUSH_CACHE_LIMITS: CacheLimits = { maxEntries: 1_000, maxAgeMs: 60_000 };

export class PushSubscriptionCache extends NodeCache<PushSubscriptionRecord[], SubscriptionChange> {
  constructor(store: Pick<AlertStore, 'subscriptions'>, clock: Clock, peers?: SubscriptionPeers, limits = PUSH_CACHE_LIMITS) {
    // Stale: the agent's list, and that of whoever held the endpoint before (a browser signed in as someone else
    // takes its subscription along).
    super((agentId) => store.subscriptions(agentId), (change, agentId, records) => agentId === change.agentId || records.some((s) => s.endpoint === change.endpoint), clock, limits, peers);
  }

  subscriptions(agentId: string): Promise<PushSubscriptionRecord[]> {
    return this.get(agentId);
  }

  /** Of a change only these two fields are kept and told to the other nodes, whatever record the caller holds. */
  override changed({ agentId, endpoint }: SubscriptionChange): void {
    super.changed({ agentId, endpoint });
  }
}
