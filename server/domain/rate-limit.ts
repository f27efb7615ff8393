/**
 * Token buckets keyed by who is asking (visitor, IP, account). Pure and clock-injected; memory is bounded
 * by evicting the least recently used keys, so a flood of new keys cannot grow it without limit.
 */
import type { Clock } from './clock.ts';

export interface BucketPolicy {
  /** Requests allowed at once. */
  burst: number;
  /** Sustained requests per second once the burst is spent. */
  perSecond: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Spends one token of `key` under `policy`, or says how long until one is available. */
  take(key: string, policy: BucketPolicy): TakeResult {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: policy.burst, updatedAt: now };
    this.buckets.delete(key); // re-inserted below: Map order is recency order
    bucket.tokens = Math.min(policy.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * policy.perSecond);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed ? { ok: true } : { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / policy.perSecond) * 1000) };
  }

  /** Forgets a key, e.g. an account's failed logins after a successful one. */
  reset(key: string): void {
    this.buckets.delete(key);
  }
}
