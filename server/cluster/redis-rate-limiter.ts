/**
 * The same token buckets as domain/rate-limit.ts, kept in Redis so every node spends from one budget, with the
 * same guarantees: a bucket expires only once it is full again (its TTL is the time to refill), each limit keeps
 * an index of its live buckets (a sorted set scored by when each will be full) bounded at `maxKeysPerLimit`, and a
 * new key finding that index full of buckets still in use is refused rather than anything limiting forgotten.
 * Redis itself must not evict them either: run it with `maxmemory-policy noeviction` (checked at start).
 */
import type { Redis } from 'ioredis';
import { MAX_KEYS_PER_LIMIT, type BucketPolicy, type TakeResult } from '../domain/rate-limit.ts';
import type { Clock } from '../domain/clock.ts';

// KEYS: the bucket (a hash), the limit's index. ARGV: burst, perSecond, now, max keys, the bucket's member name.
// A bucket is live while its member is in the index (as domain/rate-limit.ts keeps it in its map); its hash
// outlives it by a second, and one without a member starts afresh. Tokens are saved with 17 digits: exactly.
const PRELUDE = `
local burst, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local live = redis.call('ZSCORE', KEYS[2], ARGV[5])
local function refilled()
  local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
  if not state[1] then return burst end
  return math.min(burst, tonumber(state[1]) + (now - tonumber(state[2])) / 1000 * rate)
end
local function save(tokens)
  local fullIn = math.ceil((burst - tokens) / rate * 1000)
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], fullIn + 1000)
  redis.call('ZADD', KEYS[2], now + fullIn, ARGV[5])
  redis.call('PEXPIRE', KEYS[2], math.ceil(burst / rate * 1000) + 1000)
end
`;

// Answers {wait, fresh}: wait -1 when a token was spent, else the milliseconds until one (or room) is available.
const TAKE = `${PRELUDE}
local tokens = burst
if live then
  tokens = refilled()
else
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then
    local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {math.max(1, math.ceil(tonumber(first[2]) - now)), 0}
  end
end
if tokens < 1 then return {math.ceil((1 - tokens) / rate * 1000), 0} end
save(tokens - 1)
return {-1, tokens >= burst and 1 or 0}`;

const REFUND = `${PRELUDE}
if live then save(math.min(burst, refilled() + 1)) end
return 0`;

/** The scripts as ioredis commands: sent by hash (EVALSHA), the text only when Redis does not have it yet. */
const COMMANDS = { parleyTakeToken: TAKE, parleyRefundToken: REFUND } as const;
type ScriptCommand = (...args: (string | number)[]) => Promise<unknown>;

export class RedisRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly prefix = 'parley:limit:',
    private readonly maxKeysPerLimit = MAX_KEYS_PER_LIMIT,
  ) {
    // Every send takes a token: sending the script's 1.5 KB each time cost more CPU here and in Redis than the take.
    for (const [name, lua] of Object.entries(COMMANDS)) redis.defineCommand(name, { numberOfKeys: 2, lua });
  }

  async take(limit: string, key: string, policy: BucketPolicy): Promise<TakeResult> {
    const [wait, fresh] = (await this.run('parleyTakeToken', limit, key, policy)) as [number, number];
    return wait < 0 ? { ok: true, fresh: fresh === 1 } : { ok: false, retryAfterMs: wait };
  }

  async refund(limit: string, key: string, policy: BucketPolicy): Promise<void> {
    await this.run('parleyRefundToken', limit, key, policy);
  }

  async reset(limit: string, key: string): Promise<void> {
    await this.redis.multi().del(this.bucketKey(limit, key)).zrem(this.indexKey(limit), key).exec();
  }

  /** Whether Redis may evict keys under memory pressure, which would forget limiting buckets. */
  async evicts(): Promise<boolean> {
    const [, policy] = (await this.redis.config('GET', 'maxmemory-policy')) as [string, string];
    return policy !== 'noeviction';
  }

  private run(command: keyof typeof COMMANDS, limit: string, key: string, policy: BucketPolicy): Promise<unknown> {
    const script = (this.redis as unknown as Record<typeof command, ScriptCommand>)[command];
    return script.call(this.redis, this.bucketKey(limit, key), this.indexKey(limit), policy.burst, policy.perSecond, this.clock.now(), this.maxKeysPerLimit, key);
  }

  private bucketKey(limit: string, key: string): string {
    return `${this.prefix}${limit}:${key}`;
  }

  private indexKey(limit: string): string {
    return `${this.prefix}${limit}`;
  }
}
