/**
 * Slowing down guesses at one account from many addresses without letting anyone lock its owner out (OWASP):
 * every wrong password for the account counts, whichever address sent it, and past a few, an address that has
 * failed this account itself must wait a delay that doubles with each further failure, up to a cap. An address
 * with no recent failures is never made to wait by this, so the owner on their own device still gets in; each
 * address is further held to a few tries by its own (account, address) limit (LIMITS.loginFailure).
 */

export const SIGN_IN_SLOWDOWN = {
  /** Failures of the account, from any address, before anyone waits. */
  freeFailures: 5,
  /** The wait after the free failures; it doubles with each failure after. */
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  /** A count without a new failure for this long is forgotten. */
  forgetAfterMs: 60 * 60_000,
};

/** Wrong passwords for one account, from any address, since the count was last forgotten. */
export interface AccountFailures {
  count: number;
  /** Milliseconds since the epoch; null when there was none. */
  lastAt: number | null;
}

/** Milliseconds an address that has failed this account itself must still wait before trying it again; 0: now. */
export function accountWaitMs(failures: AccountFailures, now: number): number {
  const { freeFailures, firstDelayMs, maxDelayMs, forgetAfterMs } = SIGN_IN_SLOWDOWN;
  if (failures.lastAt === null || now - failures.lastAt >= forgetAfterMs) return 0;
  const beyond = failures.count - freeFailures;
  if (beyond < 0) return 0;
  const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** beyond);
  return Math.max(0, failures.lastAt + delay - now);
}

/** Failures whose last one is before this are forgotten when the next is counted. */
export function forgetFailuresBefore(now: number): number {
  return now - SIGN_IN_SLOWDOWN.forgetAfterMs;
}
