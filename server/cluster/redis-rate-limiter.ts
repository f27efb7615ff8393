/** The same token buckets as domain/rate-limit.ts, kept in Redis so every node spends from one budget. */
import type { Redis } from 'ioredis';
import type { BucketPolicy, TakeResult } from '../domain/rate-limit.ts';
import type { Clock } from '../domain/clock.ts';

// Refill, spend one token if there is one, and answer -1 (allowed) or the milliseconds until the next token.
const TAKE = `
local burst, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = -1
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return wait`;

export class RedisRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'parley:limit:',
  ) {}

  async take(key: string, policy: BucketPolicy): Promise<TakeResult> {
    const wait = (await this.redis.eval(TAKE, 1, this.prefix + key, policy.burst, policy.perSecond, this.clock.now())) as number;
    return wait < 0 ? { ok: true } : { ok: false, retryAfterMs: wait };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}
