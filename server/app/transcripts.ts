/**
 * "Email me this conversation": the visitor asks from the widget; the transcript is queued like every email
 * (EmailOutbox) to the visitor's known address, once per conversation state (asking again without new messages
 * sends nothing more), and listed with the conversation's emails in the console. It is not stopped by an earlier
 * unsubscribe: the visitor asks for this one email now.
 */
import type { MessageDTO } from '../contract/dto.ts';
import { HISTORY_PAGE_MAX } from '../contract/events.ts';
import type { EmailOutbox } from '../email/outbox.ts';
import { transcriptContent } from '../email/transcript-content.ts';
import type { VisitorActor } from './conversations.ts';
import { AppError, notFound } from './errors.ts';
import type { Store } from './ports.ts';

/** A transcript carries at most this many messages (the oldest are the ones kept: the start of the story). */
const MAX_TRANSCRIPT_MESSAGES = 2000;

export class TranscriptService {
  constructor(
    private readonly store: Store,
    private readonly emails: Pick<EmailOutbox, 'queue'>,
  ) {}

  async emailTranscript(visitor: VisitorActor, conversationId: string): Promise<{ email: string }> {
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation || conversation.visitorId !== visitor.visitorId) throw notFound('Conversation');
    const [profile, site] = await Promise.all([this.store.visitors.findById(visitor.visitorId), this.store.sites.findById(conversation.siteId)]);
    if (!profile?.email) throw new AppError('CONFLICT', 'We do not know your email address yet');
    const messages = await this.allMessages(conversationId);
    await this.emails.queue({
      purpose: 'transcript',
      to: profile.email,
      conversationId,
      siteId: conversation.siteId,
      // The same for the same conversation state and address: a repeated request is one email.
      idempotencyKey: `transcript:${conversationId}:${conversation.lastSeq}:${profile.email.toLowerCase()}`,
      ...transcriptContent(site?.widgetSettings.teamName ?? 'Support', messages),
    });
    return { email: profile.email };
  }

  private async allMessages(conversationId: string): Promise<MessageDTO[]> {
    const messages: MessageDTO[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await this.store.conversations.history(conversationId, { afterSeq, limit: HISTORY_PAGE_MAX, includeNotes: false });
      messages.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0 || messages.length >= MAX_TRANSCRIPT_MESSAGES) return messages.slice(0, MAX_TRANSCRIPT_MESSAGES);
      afterSeq = page.messages.at(-1)!.seq;
    }
  }
}
