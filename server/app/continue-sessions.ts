/**
 * "Continue anywhere": a continue token (in an email, 7 days, signed for one conversation) is exchanged, on our
 * own origin, for a session of that conversation's visitor, so the chat goes on from any device.
 */
import type { ContinueResponse } from '../contract/continue.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import type { EmailTokens } from '../email/tokens.ts';
import { AppError } from './errors.ts';
import type { Store } from './ports.ts';
import type { VisitorSessionService } from './visitor-sessions.ts';

export class ContinueSessionService {
  constructor(
    private readonly store: Store,
    private readonly tokens: EmailTokens,
    private readonly signer: TokenSigner,
    private readonly sessions: VisitorSessionService,
  ) {}

  /** The conversation a continue token names, or null when it is forged, expired or names nothing we have. */
  async conversationOf(token: string): Promise<string | null> {
    const verified = this.tokens.verify('continue', token);
    if (!verified) return null;
    return (await this.store.conversations.findById(verified.subjectId))?.id ?? null;
  }

  async exchange(token: string): Promise<ContinueResponse> {
    const verified = this.tokens.verify('continue', token);
    const conversation = verified && (await this.store.conversations.findById(verified.subjectId));
    const site = conversation && (await this.store.sites.findById(conversation.siteId));
    const visitor = conversation && (await this.store.visitors.findById(conversation.visitorId));
    if (!conversation || !site || !visitor) throw new AppError('UNAUTHORIZED', 'This link has expired or is not valid');
    await this.store.visitors.touch(visitor.id);
    const signed = this.signer.signVisitor({ visitorId: visitor.id, siteId: site.id, keyVersion: site.visitorKeyVersion });
    return {
      session: { token: signed.token, visitorId: visitor.id, expiresAt: signed.expiresAt.toISOString() },
      config: this.sessions.config(site),
      conversationId: conversation.id,
    };
  }
}
