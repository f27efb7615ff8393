/**
 * Whether each site lets every agent who serves it see all of its conversations (widgetSettings.agentsSeeAll, the
 * default), kept per node (node-cache.ts): the socket notifier asks for every batch of messages, and where the
 * answer is yes, a conversation's own broadcast to agents outside the whole-site room has nobody to reach.
 */
import type { Clock } from '../domain/clock.ts';
import { NodeCache, type CacheLimits, type CachePeers } from './node-cache.ts';
import type { SiteStore } from './ports.ts';

/** A site's agentsSeeAll setting changed. */
export interface SiteVisibilityChange {
  siteId: string;
}

export type SiteVisibilityCache = NodeCache<boolean, SiteVisibilityChange>;

/** Short: a setting changed by another process (the CLI) while the server runs is seen within 5 s. */
const SITE_VISIBILITY_LIMITS: CacheLimits = { maxEntries: 10_000, maxAgeMs: 5_000 };

export function siteVisibilityCache(sites: Pick<SiteStore, 'findById'>, clock: Clock, peers?: CachePeers<SiteVisibilityChange>): SiteVisibilityCache {
  return new NodeCache(
    async (siteId) => (await sites.findById(siteId))?.widgetSettings.agentsSeeAll === true,
    (change, siteId) => siteId === change.siteId,
    clock,
    SITE_VISIBILITY_LIMITS,
    peers,
  );
}
