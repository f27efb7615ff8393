/**
 * "Email me this conversation": the visitor asks from the widget; the transcript goes to the visitor's known
 * address through the TranscriptMailer port, once per conversation state (asking again without new messages
 * sends nothing more).
 */
import type { MessageDTO } from '../contract/dto.ts';
import { HISTORY_PAGE_MAX } from '../contract/events.ts';
import { transcriptContent, type TranscriptContent } from '../email/transcript-content.ts';
import type { VisitorActor } from './conversations.ts';
import { AppError, notFound } from './errors.ts';
import type { Store } from './ports.ts';

export interface TranscriptEmail extends TranscriptContent {
  to: string;
  conversationId: string;
  /** The same for the same conversation state and address: a repeated request is one email. */
  idempotencyKey: string;
}

/** Sends (or queues) one transcript email. */
export interface TranscriptMailer {
  send(email: TranscriptEmail): Promise<void>;
}

/** A transcript carries at most this many messages (the oldest are the ones kept: the start of the story). */
const MAX_TRANSCRIPT_MESSAGES = 2000;

export class TranscriptService {
  constructor(
    private readonly store: Store,
    private readonly mailer: TranscriptMailer,
  ) {}

  async emailTranscript(visitor: VisitorActor, conversationId: string): Promise<{ email: string }> {
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation || conversation.visitorId !== visitor.visitorId) throw notFound('Conversation');
    const [profile, site] = await Promise.all([this.store.visitors.findById(visitor.visitorId), this.store.sites.findById(conversation.siteId)]);
    if (!profile?.email) throw new AppError('CONFLICT', 'We do not know your email address yet');
    const messages = await this.allMessages(conversationId);
    await this.mailer.send({
      to: profile.email,
      conversationId,
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
