import { describe, expect, it } from 'vitest';
import { accountWaitMs, forgetFailuresBefore, SIGN_IN_SLOWDOWN } from '../../../server/domain/sign-in-slowdown.ts';
import { ManualClock } from '../../../server/domain/clock.ts';

describe('sign-in slow-down of an account', () => {
  const { freeFailures, firstDelayMs, maxDelayMs, forgetAfterMs } = SIGN_IN_SLOWDOWN;

  it('lets the first few failures pass, then doubles the wait with each one, up to the cap', () => {
    const clock = new ManualClock(1_000_000);
    const lastAt = clock.now();
    expect(accountWaitMs({ count: 0, lastAt: null }, clock.now())).toBe(0);
    expect(accountWaitMs({ count: freeFailures - 1, lastAt }, clock.now())).toBe(0);
    expect(accountWaitMs({ count: freeFailures, lastAt }, clock.now())).toBe(firstDelayMs);
    expect(accountWaitMs({ count: freeFailures + 3, lastAt }, clock.now())).toBe(8 * firstDelayMs);
    expect(accountWaitMs({ count: freeFailures + 40, lastAt }, clock.now())).toBe(maxDelayMs);
  });

  it('counts the wait from the last failure, and forgets the count after a quiet while', () => {
    const clock = new ManualClock(1_000_000);
    const failures = { count: freeFailures + 2, lastAt: clock.now() };
    clock.advance(1_500);
    expect(accountWaitMs(failures, clock.now())).toBe(4 * firstDelayMs - 1_500);
    clock.advance(4 * firstDelayMs);
    expect(accountWaitMs(failures, clock.now())).toBe(0);
    const many = { count: freeFailures + 40, lastAt: clock.now() };
    clock.advance(forgetAfterMs);
    expect(accountWaitMs(many, clock.now())).toBe(0);
    expect(forgetFailuresBefore(clock.now())).toBe(many.lastAt);
  });
});
