import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/domain/clock.ts';
import { RateLimiter } from '../../../server/domain/rate-limit.ts';

describe('RateLimiter', () => {
  const policy = { burst: 3, perSecond: 2 };

  it('allows the burst, then one request per 1/perSecond, and says when to retry', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock);
    expect([1, 2, 3].map(() => limiter.take('v1', policy).ok)).toEqual([true, true, true]);
    expect(limiter.take('v1', policy)).toEqual({ ok: false, retryAfterMs: 500 });
    clock.advance(250);
    expect(limiter.take('v1', policy)).toEqual({ ok: false, retryAfterMs: 250 });
    clock.advance(250);
    expect(limiter.take('v1', policy).ok).toBe(true);
    expect(limiter.take('v1', policy).ok).toBe(false);
    clock.advance(10_000); // refills up to the burst, never beyond
    expect([1, 2, 3, 4].map(() => limiter.take('v1', policy).ok)).toEqual([true, true, true, false]);
  });

  it('keeps keys apart, resets one on request, and bounds memory by evicting the least recently used', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter(clock, 2);
    const drain = (key: string) => { while (limiter.take(key, policy).ok); };
    drain('a');
    expect(limiter.take('b', policy).ok).toBe(true);
    limiter.reset('a');
    expect(limiter.take('a', policy).ok).toBe(true);
    drain('a');
    limiter.take('b', policy);
    limiter.take('c', policy); // evicts a, the least recently used
    expect(limiter.take('a', policy).ok).toBe(true);
  });
});
