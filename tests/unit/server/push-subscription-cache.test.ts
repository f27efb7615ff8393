import { describe, expect, it } from 'vitest';
import type { PushSubscriptionRecord } from '../../../server/app/alert-ports.ts';
import { PushSubscriptionCache, type SubscriptionChange } from '../../../server/app/push-subscription-cache.ts';
import { ManualClock } from '../../../server/domain/clock.ts';
import { peerBus } from '../../support/peer-bus.ts';

const subscription = (agentId: string, endpoint: string): PushSubscriptionRecord => ({ id: `${agentId}:${endpoint}`, agentId, endpoint, p256dh: 'p', auth: 'a', createdAt: new Date(0) });

/** A store whose rows the test sets, counting each read; `hold()` keeps the next reads pending until `release()`. */
function fakeStore() {
  const rows: PushSubscriptionRecord[] = [];
  const reads: string[] = [];
  let held: (() => void)[] | null = null;
  return {
    rows,
    reads,
    hold: () => void (held = []),
    release: () => {
      const waiting = held ?? [];
      held = null;
      waiting.forEach((resume) => resume());
    },
    failNext: false,
    async subscriptions(agentId: string): Promise<PushSubscriptionRecord[]> {
      reads.push(agentId);
      if (this.failNext) {
        this.failNext = false;
        throw new Error('database away');
      }
      // Read now, as a query started now would; answered when released.
      const answer = rows.filter((s) => s.agentId === agentId);
      if (held) await new Promise<void>((resume) => held!.push(resume));
      return answer;
    },
  };
}

describe('push subscription cache', () => {
  it('reads an agent once, however often and however concurrently asked', async () => {
    const store = fakeStore();
    store.rows.push(subscription('ann', 'https://push.test/1'));
    const cache = new PushSubscriptionCache(store, new ManualClock());
    const [first, second] = await Promise.all([cache.subscriptions('ann'), cache.subscriptions('ann')]);
    expect(first.map((s) => s.endpoint)).toEqual(['https://push.test/1']);
    expect(second).toBe(first);
    expect(await cache.subscriptions('bob')).toEqual([]);
    expect(await cache.subscriptions('bob')).toEqual([]);
    expect(store.reads).toEqual(['ann', 'bob']);
  });

  it("reads an agent again after a change of theirs, and after a change that took a browser from them", async () => {
    const store = fakeStore();
    store.rows.push(subscription('ann', 'https://push.test/shared'));
    const cache = new PushSubscriptionCache(store, new ManualClock());
    await cache.subscriptions('ann');
    await cache.subscriptions('bob');
    await cache.subscriptions('cat');

    store.rows.push(subscription('bob', 'https://push.test/bob'));
    cache.changed({ agentId: 'bob', endpoint: 'https://push.test/bob' });
    expect((await cache.subscriptions('bob')).map((s) => s.endpoint)).toEqual(['https://push.test/bob']);

    // The same browser signed in as cat: its subscription is cat's now, and no longer ann's.
    store.rows[0] = subscription('cat', 'https://push.test/shared');
    cache.changed({ agentId: 'cat', endpoint: 'https://push.test/shared' });
    expect(await cache.subscriptions('ann')).toEqual([]);
    expect((await cache.subscriptions('cat')).map((s) => s.endpoint)).toEqual(['https://push.test/shared']);
    await cache.subscriptions('bob');
    expect(store.reads).toEqual(['ann', 'bob', 'cat', 'bob', 'ann', 'cat']);
  });

  it('keeps no answer read before a change that came while it was loading', async () => {
    const store = fakeStore();
    const cache = new PushSubscriptionCache(store, new ManualClock());
    store.hold();
    const stale = cache.subscriptions('ann');
    store.rows.push(subscription('ann', 'https://push.test/1'));
    cache.changed({ agentId: 'someone-else', endpoint: 'https://push.test/elsewhere' });
    store.release();
    expect(await stale).toEqual([]);
    expect(await cache.subscriptions('ann')).toHaveLength(1);
    expect(store.reads).toEqual(['ann', 'ann']);
  });

  it('keeps at most maxEntries, dropping the one asked about least recently', async () => {
    const store = fakeStore();
    const cache = new PushSubscriptionCache(store, new ManualClock(), undefined, { maxEntries: 2, maxAgeMs: 60_000 });
    await cache.subscriptions('ann');
    await cache.subscriptions('bob');
    await cache.subscriptions('ann');
    await cache.subscriptions('cat'); // over the bound: bob goes, ann was asked about since
    await cache.subscriptions('ann');
    await cache.subscriptions('bob');
    expect(store.reads).toEqual(['ann', 'bob', 'cat', 'bob']);
  });

  it('reads an agent again once the entry is maxAgeMs old, and does not keep a failed read', async () => {
    const store = fakeStore();
    const clock = new ManualClock(1_000);
    const cache = new PushSubscriptionCache(store, clock, undefined, { maxEntries: 10, maxAgeMs: 60_000 });
    await cache.subscriptions('ann');
    clock.advance(59_999);
    await cache.subscriptions('ann');
    clock.advance(1);
    await cache.subscriptions('ann');
    expect(store.reads).toEqual(['ann', 'ann']);

    store.failNext = true;
    await expect(cache.subscriptions('bob')).rejects.toThrow('database away');
    expect(await cache.subscriptions('bob')).toEqual([]);
    expect(store.reads).toEqual(['ann', 'ann', 'bob', 'bob']);
  });

  it('tells the other nodes of a change, and each drops what it held of it', async () => {
    const store = fakeStore();
    const peers = peerBus<SubscriptionChange>();
    const [nodeA, nodeB] = [new PushSubscriptionCache(store, new ManualClock(), peers()), new PushSubscriptionCache(store, new ManualClock(), peers())];
    expect(await nodeA.subscriptions('ann')).toEqual([]);
    expect(await nodeB.subscriptions('ann')).toEqual([]);

    store.rows.push(subscription('ann', 'https://push.test/1'));
    nodeB.changed({ agentId: 'ann', endpoint: 'https://push.test/1' });
    expect(await nodeA.subscriptions('ann')).toHaveLength(1);
    expect(await nodeB.subscriptions('ann')).toHaveLength(1);
    expect(store.reads).toEqual(['ann', 'ann', 'ann', 'ann']);
  });
});
