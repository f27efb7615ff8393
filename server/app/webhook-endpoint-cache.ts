/**
 * Each site's enabled webhook endpoints, kept per node (node-cache.ts): every domain event asks (each round of
 * sends did a query for it), and most sites have none or change them rarely.
 */
import type { Clock } from '../domain/clock.ts';
import { NodeCache, type CacheLimits, type CachePeers } from './node-cache.ts';
import type { WebhookEndpointRecord, WebhookStore } from './webhook-ports.ts';

/** A site's endpoints were created, deleted, enabled or disabled. */
export interface EndpointsChange {
  siteId: string;
}

export type WebhookEndpointCache = NodeCache<WebhookEndpointRecord[], EndpointsChange>;

/** Short: an endpoint changed by another process (the CLI) while the server runs is seen within 5 s. */
const ENDPOINT_CACHE_LIMITS: CacheLimits = { maxEntries: 1_000, maxAgeMs: 5_000 };

export function webhookEndpointCache(store: Pick<WebhookStore, 'enabledEndpoints'>, clock: Clock, peers?: CachePeers<EndpointsChange>): WebhookEndpointCache {
  return new NodeCache((siteId) => store.enabledEndpoints(siteId), (change, siteId) => siteId === change.siteId, clock, ENDPOINT_CACHE_LIMITS, peers);
}
