/**
 * Abuse limits, in one place. Generous for people, tight for scripts: a visitor can type as fast as they
 * like, but not send hundreds of messages a minute; an IP cannot open conversations or guess passwords
 * without bound. Every refusal says when to retry.
 */
import type { BucketPolicy, TakeResult } from '../domain/rate-limit.ts';
import { AppError } from './errors.ts';

export const LIMITS = {
  /** Messages per visitor: a burst of 20, then one a second. */
  visitorMessage: { burst: 20, perSecond: 1 },
  /** Any command on a visitor connection (typing, reads...). */
  visitorCommand: { burst: 60, perSecond: 10 },
  /** Any command on an agent connection. */
  agentCommand: { burst: 200, perSecond: 30 },
  /** New conversations per IP: 20, then one every 3 minutes. */
  conversationPerIp: { burst: 20, perSecond: 1 / 180 },
  /** Connections per visitor: 30 (tabs, reloads, flaky networks), then one every 2 s. */
  visitorConnect: { burst: 30, perSecond: 1 / 2 },
  /** Connections per agent, likewise. */
  agentConnect: { burst: 30, perSecond: 1 / 2 },
  /** New visitor sessions per IP. */
  sessionPerIp: { burst: 60, perSecond: 1 },
  /** Login attempts per IP. */
  loginPerIp: { burst: 20, perSecond: 1 / 3 },
  /**
   * Sign-in attempts per account and address: 5, then one every 10 minutes; a successful one resets it, so only
   * failures add up. Locks that pair only: the owner elsewhere still signs in. While this pair's bucket is not full
   * again, the address also waits out the account's slow-down (domain/sign-in-slowdown.ts).
   */
  loginFailure: { burst: 5, perSecond: 1 / 600 },
  /** Profile writes per visitor (visitor:update, identify): each goes to every agent of the site. 20, then one every 3 s. */
  visitorProfile: { burst: 20, perSecond: 1 / 3 },
  /** Uploads per visitor or agent: 10, then one a minute. */
  upload: { burst: 10, perSecond: 1 / 60 },
  /** Requests per API key: a burst of 100, then 10 a second. Each key has its own bucket. */
  apiKey: { burst: 100, perSecond: 10 },
  /** Knowledge-base searches per visitor (suggestions while typing, debounced): 30, then one a second. */
  articleSearch: { burst: 30, perSecond: 1 },
} satisfies Record<string, BucketPolicy>;

export type LimitName = keyof typeof LIMITS;

const MESSAGES: Record<LimitName, string> = {
  visitorMessage: 'You are sending messages too quickly; please wait a moment',
  visitorCommand: 'Too many requests; please slow down',
  agentCommand: 'Too many requests; please slow down',
  visitorConnect: 'Too many connections; please wait a moment',
  agentConnect: 'Too many connections; please wait a moment',
  conversationPerIp: 'Too many new conversations from your network; please try again later',
  sessionPerIp: 'Too many new sessions from your network; please try again later',
  loginPerIp: 'Too many sign-in attempts; please wait and try again',
  loginFailure: 'Too many failed sign-ins for this account from your network; please wait and try again',
  upload: 'Too many files at once; please wait a moment',
  visitorProfile: 'Too many profile updates; please wait a moment',
  apiKey: 'Too many requests with this API key; retry after retryAfterMs',
  articleSearch: 'Too many searches; please wait a moment',
};

/** Where buckets live: this process (domain/rate-limit.ts) or Redis, shared by every node. Each limit is its own store. */
export interface TokenBuckets {
  take(limit: LimitName, key: string, policy: BucketPolicy): TakeResult | Promise<TakeResult>;
  refund(limit: LimitName, key: string, policy: BucketPolicy): void | Promise<void>;
  reset(limit: LimitName, key: string): void | Promise<void>;
}

/** What a granted request learns: whether `key` had no recent use under this limit (its bucket was full). */
export interface Granted {
  fresh: boolean;
}

/** A request taken ahead (Limits.takeAhead): spent, or given back; one or the other, once. */
export interface TakenAhead {
  /** Resolves when the request was granted; throws RATE_LIMITED (or the limiter's failure) as take would. */
  spend(): Promise<void>;
  /** Refunds the request if it was granted. */
  giveBack(): Promise<void>;
}

export class Limits {
  private readonly policies: Record<LimitName, BucketPolicy>;

  /** `scale` multiplies every limit (RATE_LIMIT_SCALE): load tests from one address need more. */
  constructor(
    private readonly limiter: TokenBuckets,
    scale = 1,
  ) {
    const scaled = Object.entries(LIMITS).map(([name, p]) => [name, { burst: p.burst * scale, perSecond: p.perSecond * scale }]);
    this.policies = Object.fromEntries(scaled) as Record<LimitName, BucketPolicy>;
  }

  /** Spends one request of `name` for `key`, or throws RATE_LIMITED with when to retry. */
  async take(name: LimitName, key: string): Promise<Granted> {
    const result = await this.limiter.take(name, key, this.policies[name]);
    if (!result.ok) throw new AppError('RATE_LIMITED', MESSAGES[name], result.retryAfterMs);
    return { fresh: result.fresh };
  }

  /** Gives back a request of `name` that cost nothing after all, e.g. a retry answered from storage. */
  async refund(name: LimitName, key: string): Promise<void> {
    await this.limiter.refund(name, key, this.policies[name]);
  }

  /**
   * Takes a request of `name` for `key` now, before it is known to be needed, so that its round trip (to Redis, in a
   * cluster) overlaps others: `spend` then answers as `take` would have, `giveBack` refunds it if it was granted.
   */
  takeAhead(name: LimitName, key: string): TakenAhead {
    // Settled at once: a refusal nobody asks about (given back instead) must not go unhandled.
    const refusal = this.take(name, key).then(
      () => null,
      (error: unknown) => error,
    );
    return {
      spend: async () => {
        const error = await refusal;
        if (error) throw error;
      },
      giveBack: async () => {
        if ((await refusal) === null) await this.refund(name, key);
      },
    };
  }

  /** Forgets `key`'s history for `name`: a successful sign-in clears the failures before it. */
  async reset(name: LimitName, key: string): Promise<void> {
    await this.limiter.reset(name, key);
  }
}
