/**
 * Token buckets keyed by who is asking (visitor, IP, account). Pure and clock-injected.
 *
 * Each limit keeps its own bounded store, so a flood of new keys under one limit cannot touch another's. A store
 * forgets only buckets that are full again, which is exactly what an unknown key starts as, so forgetting never
 * hands out a token the limit had refused. When a store is full of buckets still in use, a new key of that limit is
 * refused (RATE_LIMITED, retry when the first bucket will be full): failing closed for newcomers under a flood of
 * distinct keys, rather than open for the flooder, whose limited keys would otherwise be forgotten and start afresh.
 */
import type { Clock } from './clock.ts';
import { MinHeap } from './min-heap.ts';

export interface BucketPolicy {
  /** Requests allowed at once. */
  burst: number;
  /** Sustained requests per second once the burst is spent. */
  perSecond: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  /** When it will hold its whole burst again, i.e. be the same as a bucket never seen (whole milliseconds). */
  fullAt: number;
}

/** `fresh`: the key had no recent use (its bucket was full), e.g. an address with no recent failed sign-ins. */
export type TakeResult = { ok: true; fresh: boolean } | { ok: false; retryAfterMs: number };

/** Default number of keys one limit keeps. */
export const MAX_KEYS_PER_LIMIT = 100_000;

interface FullAgain {
  fullAt: number;
  key: string;
  bucket: Bucket;
}

/** One limit's buckets; cluster/redis-rate-limiter.ts does the same in Redis, answer for answer. */
class BucketStore {
  private readonly buckets = new Map<string, Bucket>();
  /** Every bucket by when it is full again; an entry is stale once its bucket changed, and skipped then. */
  private readonly fullAgain = new MinHeap<FullAgain>((entry) => entry.fullAt);

  constructor(private readonly maxKeys: number) {}

  take(key: string, policy: BucketPolicy, now: number): TakeResult {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.forgetFullBuckets(now);
      if (this.buckets.size >= this.maxKeys) return { ok: false, retryAfterMs: Math.max(1, this.fullAgain.peek()!.fullAt - now) };
      bucket = { tokens: policy.burst, updatedAt: now, fullAt: now };
      this.buckets.set(key, bucket);
    }
    const tokens = refilled(bucket, policy, now);
    if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) / policy.perSecond) * 1000) };
    this.save(key, bucket, tokens - 1, policy, now);
    return { ok: true, fresh: tokens >= policy.burst };
  }

  refund(key: string, policy: BucketPolicy, now: number): void {
    const bucket = this.buckets.get(key);
    if (bucket) this.save(key, bucket, Math.min(policy.burst, refilled(bucket, policy, now) + 1), policy, now);
  }

  reset(key: string): void {
    this.buckets.delete(key);
  }

  private save(key: string, bucket: Bucket, tokens: number, policy: BucketPolicy, now: number): void {
    bucket.tokens = tokens;
    bucket.updatedAt = now;
    bucket.fullAt = now + Math.ceil(((policy.burst - tokens) / policy.perSecond) * 1000);
    this.fullAgain.push({ fullAt: bucket.fullAt, key, bucket });
    // Stale entries pile up with every take: drop them once they outnumber the live ones.
    if (this.fullAgain.size > 2 * this.buckets.size + 64) this.fullAgain.retain((entry) => this.isCurrent(entry));
  }

  /** Forgets every bucket that is full again (such a bucket is the same as none), and leaves a current entry on top. */
  private forgetFullBuckets(now: number): void {
    for (let top = this.fullAgain.peek(); top && (top.fullAt <= now || !this.isCurrent(top)); top = this.fullAgain.peek()) {
      this.fullAgain.pop();
      if (this.isCurrent(top)) this.buckets.delete(top.key);
    }
  }

  private isCurrent(entry: FullAgain): boolean {
    return this.buckets.get(entry.key) === entry.bucket && entry.bucket.fullAt === entry.fullAt;
  }
}

function refilled(bucket: Bucket, policy: BucketPolicy, now: number): number {
  return Math.min(policy.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * policy.perSecond);
}

export class RateLimiter {
  /** One store per limit; limit names come from the server (LIMITS), never from clients. */
  private readonly stores = new Map<string, BucketStore>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeysPerLimit = MAX_KEYS_PER_LIMIT,
  ) {}

  /** Spends one token of `key` under `limit`, or says how long until one is available. */
  take(limit: string, key: string, policy: BucketPolicy): TakeResult {
    return this.store(limit).take(key, policy, this.clock.now());
  }

  /** Gives back the token a request spent, when it turned out to cost nothing (a retry answered from storage). */
  refund(limit: string, key: string, policy: BucketPolicy): void {
    this.stores.get(limit)?.refund(key, policy, this.clock.now());
  }

  /** Forgets a key, e.g. an address's failed sign-ins after a successful one. */
  reset(limit: string, key: string): void {
    this.stores.get(limit)?.reset(key);
  }

  private store(limit: string): BucketStore {
    let store = this.stores.get(limit);
    if (!store) this.stores.set(limit, (store = new BucketStore(this.maxKeysPerLimit)));
    return store;
  }
}
