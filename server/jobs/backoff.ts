/** When a failed job runs again: exponential backoff with jitter. Pure. */
import type { RetrySchedule } from './types.ts';

/**
 * The pause after failed attempt number `attempt` (1 = the first run failed): between half and all of
 * min(maxDelayMs, baseDelayMs · 2^(attempt-1)), at random, so jobs that failed together (a receiver's outage)
 * do not all retry at the same moment, while the pause still grows with every failure.
 */
export function retryDelayMs(attempt: number, policy: RetrySchedule, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}
