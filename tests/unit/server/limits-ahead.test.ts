/** A request taken ahead of knowing whether it is needed (Limits.takeAhead): spent as `take` would, or given back. */
import { describe, expect, it } from 'vitest';
import { Limits, LIMITS } from '../../../server/app/limits.ts';
import { AppError } from '../../../server/app/errors.ts';
import { ManualClock } from '../../../server/domain/clock.ts';
import { RateLimiter } from '../../../server/domain/rate-limit.ts';

const burst = LIMITS.conversationPerIp.burst;

describe('Limits.takeAhead', () => {
  it('spends a granted request, and gives one back so that it can be taken again', async () => {
    const limits = new Limits(new RateLimiter(new ManualClock(0)));
    for (let i = 0; i < burst; i++) await limits.takeAhead('conversationPerIp', 'net-a').giveBack();
    for (let i = 0; i < burst; i++) await limits.takeAhead('conversationPerIp', 'net-a').spend();
    await expect(limits.take('conversationPerIp', 'net-a')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
  });

  it('answers a refusal when spent, refunds nothing for it when given back, and leaves none unhandled', async () => {
    const limits = new Limits(new RateLimiter(new ManualClock(0)));
    for (let i = 0; i < burst; i++) await limits.take('conversationPerIp', 'net-b');
    const refused = limits.takeAhead('conversationPerIp', 'net-b');
    await expect(refused.spend()).rejects.toBeInstanceOf(AppError);
    // Nobody asks this one: the refusal must not surface as an unhandled rejection (vitest fails the run on one).
    await limits.takeAhead('conversationPerIp', 'net-b').giveBack();
    await refused.giveBack();
    await expect(limits.take('conversationPerIp', 'net-b')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Other networks are apart.
    await limits.takeAhead('conversationPerIp', 'net-c').spend();
  });
});
