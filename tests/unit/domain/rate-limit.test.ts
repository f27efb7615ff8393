import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/domain/clock.ts';
import { MinHeap } from '../../../server/domain/min-heap.ts';
import { RateLimiter, type BucketPolicy } from '../../../server/domain/rate-limit.ts';

describe('RateLimiter', () => {
  const policy = { burst: 3, perSecond: 2 };

  it('allows the burst, then one request per 1/perSecond, and says when to retry', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock);
    expect([1, 2, 3].map(() => limiter.take('l', 'v1', policy).ok)).toEqual([true, true, true]);
    expect(limiter.take('l', 'v1', policy)).toEqual({ ok: false, retryAfterMs: 500 });
    clock.advance(250);
    expect(limiter.take('l', 'v1', policy)).toEqual({ ok: false, retryAfterMs: 250 });
    clock.advance(250);
    expect(limiter.take('l', 'v1', policy).ok).toBe(true);
    expect(limiter.take('l', 'v1', policy).ok).toBe(false);
    clock.advance(10_000); // refills up to the burst, never beyond
    expect([1, 2, 3, 4].map(() => limiter.take('l', 'v1', policy).ok)).toEqual([true, true, true, false]);
  });

  it('keeps keys apart, resets one on request, and says whether a key was fresh (its bucket full)', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock);
    const drain = (key: string) => { while (limiter.take('l', key, policy).ok); };
    drain('a');
    expect(limiter.take('l', 'b', policy)).toEqual({ ok: true, fresh: true });
    expect(limiter.take('l', 'b', policy)).toEqual({ ok: true, fresh: false });
    limiter.reset('l', 'a');
    expect(limiter.take('l', 'a', policy)).toEqual({ ok: true, fresh: true });
  });

  it('gives a refunded token back, never beyond the burst', () => {
    const limiter = new RateLimiter(new ManualClock(0));
    for (let i = 0; i < 3; i++) limiter.take('l', 'v', policy);
    limiter.refund('l', 'v', policy);
    expect(limiter.take('l', 'v', policy).ok).toBe(true);
    expect(limiter.take('l', 'v', policy).ok).toBe(false);
    limiter.refund('l', 'w', policy); // unknown: nothing to give back, and nothing created
    limiter.refund('l', 'w', policy);
    expect([1, 2, 3, 4].map(() => limiter.take('l', 'w', policy).ok)).toEqual([true, true, true, false]);
  });

  it('does not forget a limited key when a flood of new keys fills the store: newcomers are refused instead', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock, 3);
    const login = { burst: 2, perSecond: 1 / 60 };
    limiter.take('login', 'victim', login);
    limiter.take('login', 'victim', login);
    expect(limiter.take('login', 'victim', login).ok).toBe(false);
    limiter.take('login', 'flood-1', login);
    limiter.take('login', 'flood-2', login);
    // The store is full of buckets still in use: a new key waits until the first is full again (flood-1, in 60 s).
    expect(limiter.take('login', 'flood-3', login)).toEqual({ ok: false, retryAfterMs: 60_000 });
    expect(limiter.take('login', 'victim', login).ok).toBe(false);
    // Another limit has its own store: the flood does not reach it.
    expect(limiter.take('other', 'newcomer', login).ok).toBe(true);
    // Once flood-1 and flood-2 are full again they are forgotten, the victim (120 s to refill) is not.
    clock.advance(60_000);
    expect(limiter.take('login', 'flood-3', login).ok).toBe(true);
    expect(limiter.take('login', 'victim', login)).toEqual({ ok: true, fresh: false });
  });

  /**
   * Property: whatever the keys, timing and store size, the bounded limiter never lets through a request that an
   * unbounded one (which forgets nothing) would refuse, given the same grants before. Forgetting a bucket that
   * is not full again would break this at once.
   */
  it('never lets through more than a limiter that forgets nothing', () => {
    const step = fc.record({
      key: fc.integer({ min: 0, max: 6 }),
      limit: fc.constantFrom('a', 'b'),
      advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })),
      refund: fc.boolean(),
    });
    const policies: Record<string, BucketPolicy> = { a: { burst: 2, perSecond: 1 }, b: { burst: 3, perSecond: 0.25 } };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 200 }), (maxKeys, steps) => {
        const clock = new ManualClock(0);
        const bounded = new RateLimiter(clock, maxKeys);
        const unbounded = new RateLimiter(clock, Number.POSITIVE_INFINITY);
        for (const { key, limit, advanceMs, refund } of steps) {
          clock.advance(advanceMs);
          const policy = policies[limit]!;
          const reference = unbounded.take(limit, `k${key}`, policy);
          const taken = bounded.take(limit, `k${key}`, policy);
          if (taken.ok && !reference.ok) return false;
          // Refused by the bounded one only (no room): the reference takes it back, so both saw the same grants.
          if (!taken.ok && reference.ok) unbounded.refund(limit, `k${key}`, policy);
          // A refund after a take both granted keeps them in step; after a grant only one of them, skip it.
          if (refund && taken.ok && reference.ok) {
            bounded.refund(limit, `k${key}`, policy);
            unbounded.refund(limit, `k${key}`, policy);
          }
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

describe('MinHeap', () => {
  it('pops in score order, also after keeping only some items', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.integer()), (first, second) => {
        const heap = new MinHeap<number>((n) => n);
        first.forEach((n) => heap.push(n));
        heap.retain((n) => n % 2 === 0);
        second.forEach((n) => heap.push(n));
        const popped: number[] = [];
        for (let n = heap.pop(); n !== undefined; n = heap.pop()) popped.push(n);
        const expected = [...first.filter((n) => n % 2 === 0), ...second].sort((a, b) => a - b);
        return JSON.stringify(popped) === JSON.stringify(expected) && heap.size === 0;
      }),
    );
  });
});
