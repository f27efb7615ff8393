/** The Redis buckets of a cluster against a real Redis: the same answers and guarantees as the in-process ones. */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../server/cluster/redis-rate-limiter.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import { RateLimiter, type BucketPolicy } from '../../server/domain/rate-limit.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';

describe.skipIf(!redisAvailable)('Redis rate limiter', () => {
  const redis = new Redis(redisUrl);
  const prefixes: string[] = [];
  /** A limiter on its own key prefix, with a clock the test moves (Redis is told the time by the caller). */
  const limiter = (maxKeys: number, clock = new ManualClock(1_000_000)) => {
    const prefix = `test:${randomUUID()}:`;
    prefixes.push(prefix);
    return { clock, limiter: new RedisRateLimiter(redis, clock, prefix, maxKeys) };
  };
  afterAll(async () => {
    for (const prefix of prefixes) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('does not forget a limited key when a flood of new keys fills the limit: newcomers are refused instead', async () => {
    const { clock, limiter: buckets } = limiter(3);
    const login = { burst: 2, perSecond: 1 / 60 };
    await buckets.take('login', 'victim', login);
    await buckets.take('login', 'victim', login);
    expect((await buckets.take('login', 'victim', login)).ok).toBe(false);
    await buckets.take('login', 'flood-1', login);
    await buckets.take('login', 'flood-2', login);
    expect(await buckets.take('login', 'flood-3', login)).toEqual({ ok: false, retryAfterMs: 60_000 });
    expect((await buckets.take('login', 'victim', login)).ok).toBe(false);
    expect((await buckets.take('other', 'newcomer', login)).ok).toBe(true);
    clock.advance(60_000);
    expect((await buckets.take('login', 'flood-3', login)).ok).toBe(true);
    expect(await buckets.take('login', 'victim', login)).toEqual({ ok: true, fresh: false });
  });

  it('answers exactly as the in-process limiter does, refunds and resets included', async () => {
    const policies: Record<string, BucketPolicy> = { a: { burst: 2, perSecond: 1 }, b: { burst: 3, perSecond: 0.25 } };
    const step = fc.record({
      key: fc.integer({ min: 0, max: 5 }),
      limit: fc.constantFrom('a', 'b'),
      advanceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 })),
      then: fc.constantFrom('nothing', 'nothing', 'refund', 'reset'),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 60 }), async (maxKeys, steps) => {
        const { clock, limiter: inRedis } = limiter(maxKeys);
        const inProcess = new RateLimiter(clock, maxKeys);
        for (const { key, limit, advanceMs, then } of steps) {
          clock.advance(advanceMs);
          const policy = policies[limit]!;
          expect(await inRedis.take(limit, `k${key}`, policy)).toEqual(inProcess.take(limit, `k${key}`, policy));
          if (then === 'refund') {
            await inRedis.refund(limit, `k${key}`, policy);
            inProcess.refund(limit, `k${key}`, policy);
          } else if (then === 'reset') {
            await inRedis.reset(limit, `k${key}`);
            inProcess.reset(limit, `k${key}`);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('lets a bucket expire only once it is full again', async () => {
    const { limiter: buckets } = limiter(10);
    const prefix = prefixes.at(-1)!;
    await buckets.take('slow', 'k', { burst: 3, perSecond: 1 / 60 });
    await buckets.take('slow', 'k', { burst: 3, perSecond: 1 / 60 });
    // Two tokens spent at one a minute: full again in 120 s, kept one second beyond.
    const ttl = await redis.pttl(`${prefix}slow:k`);
    expect(ttl).toBeGreaterThan(120_000);
    expect(ttl).toBeLessThanOrEqual(121_000);
  });

  it('says whether Redis may evict keys', async () => {
    const { limiter: buckets } = limiter(10);
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    expect(await buckets.evicts()).toBe(policy !== 'noeviction');
  });
});
