/**
 * The per-node cache of which sites let every agent see their whole: what the socket notifier reads without waiting
 * (peek), so that it skips broadcasts nobody could hear only while the setting is known, here or told by a peer.
 */
import { describe, expect, it } from 'vitest';
import type { SiteRecord } from '../../../server/app/ports.ts';
import { siteVisibilityCache, type SiteVisibilityChange } from '../../../server/app/site-visibility-cache.ts';
import { ManualClock } from '../../../server/domain/clock.ts';
import { peerBus } from '../../support/peer-bus.ts';

/** Sites by id with their agentsSeeAll setting, counting each read. */
function fakeSites(settings: Record<string, boolean>) {
  const reads: string[] = [];
  return {
    settings,
    reads,
    async findById(id: string): Promise<SiteRecord | null> {
      reads.push(id);
      return id in settings ? ({ id, widgetSettings: { agentsSeeAll: settings[id] } } as unknown as SiteRecord) : null;
    },
  };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('site visibility cache', () => {
  it('answers peek with nothing until the site is read, then from memory, once per site', async () => {
    const sites = fakeSites({ open: true, closed: false });
    const cache = siteVisibilityCache(sites, new ManualClock());
    expect(cache.peek('open')).toBeUndefined();
    expect(cache.peek('open')).toBeUndefined(); // still loading: not read twice
    expect(cache.peek('closed')).toBeUndefined();
    expect(cache.peek('gone')).toBeUndefined();
    await settled();
    expect([cache.peek('open'), cache.peek('closed'), cache.peek('gone')]).toEqual([true, false, false]);
    expect(sites.reads).toEqual(['open', 'closed', 'gone']);
  });

  it('reads a site again once its entry is too old, and knows nothing meanwhile', async () => {
    const sites = fakeSites({ open: true });
    const clock = new ManualClock();
    const cache = siteVisibilityCache(sites, clock);
    cache.peek('open');
    await settled();
    clock.advance(4_999);
    expect(cache.peek('open')).toBe(true);
    sites.settings.open = false; // changed by another process (the CLI), which tells no node
    clock.advance(1);
    expect(cache.peek('open')).toBeUndefined();
    await settled();
    expect(cache.peek('open')).toBe(false);
    expect(sites.reads).toEqual(['open', 'open']);
  });

  it('forgets a changed site here and on every other node', async () => {
    const sites = fakeSites({ open: true, other: true });
    const peers = peerBus<SiteVisibilityChange>();
    const here = siteVisibilityCache(sites, new ManualClock(), peers());
    const there = siteVisibilityCache(sites, new ManualClock(), peers());
    for (const cache of [here, there]) {
      cache.peek('open');
      cache.peek('other');
    }
    await settled();
    sites.settings.open = false;
    here.changed({ siteId: 'open' });
    expect([here.peek('open'), there.peek('open')]).toEqual([undefined, undefined]);
    expect([here.peek('other'), there.peek('other')]).toEqual([true, true]);
    await settled();
    expect([here.peek('open'), there.peek('open')]).toEqual([false, false]);
  });

  it('knows nothing of a site whose read failed, and reads it again on the next peek', async () => {
    const sites = fakeSites({ open: true });
    let fail = true;
    const cache = siteVisibilityCache(
      { findById: (id) => (fail ? Promise.reject(new Error('database away')) : sites.findById(id)) },
      new ManualClock(),
    );
    expect(cache.peek('open')).toBeUndefined();
    await settled();
    fail = false;
    expect(cache.peek('open')).toBeUndefined();
    await settled();
    expect(cache.peek('open')).toBe(true);
  });
});
