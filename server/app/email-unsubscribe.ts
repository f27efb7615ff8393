/** One-click unsubscribe (RFC 8058): a signed token naming the visitor stops every further email to them. */
import type { Clock } from '../domain/clock.ts';
import type { EmailStore } from '../email/ports.ts';
import type { EmailTokens } from '../email/tokens.ts';
import { AppError } from './errors.ts';

export class EmailUnsubscribe {
  constructor(
    private readonly tokens: EmailTokens,
    private readonly emails: EmailStore,
    private readonly clock: Clock,
  ) {}

  /** Throws BAD_REQUEST for a token that is malformed, forged or expired. */
  check(token: string): string {
    const verified = this.tokens.verify('unsubscribe', token);
    if (!verified) throw new AppError('BAD_REQUEST', 'This unsubscribe link is not valid');
    return verified.subjectId;
  }

  async unsubscribe(token: string): Promise<void> {
    const visitorId = this.check(token);
    // A visitor deleted since has nothing left to stop: answering success is still true.
    await this.emails.optOut(visitorId, new Date(this.clock.now()));
  }
}
