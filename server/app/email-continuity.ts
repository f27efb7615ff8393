/**
 * Continuity: an agent reply the visitor has not seen (no read receipt, no widget connected) after the site's
 * `emailAfterMinutes` goes to the visitor's email, batched with every other unseen agent reply since the last
 * such email. Each agent message schedules a delayed `email.continuity` job; the job re-checks when it runs, so
 * a reply read meanwhile sends nothing. Jobs of one conversation that run together (several nodes) share the
 * email's idempotency key (the seq the batch starts after), so they send one email.
 */
import type { Clock } from '../domain/clock.ts';
import type { MessageDTO } from '../contract/dto.ts';
import { renderContinuityEmail } from '../email/continuity-render.ts';
import { emailLocale } from '../email/visitor-text.ts';
import type { EmailOutbox } from '../email/outbox.ts';
import type { EmailTokens } from '../email/tokens.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { EventMap } from './events.ts';
import type { Store } from './ports.ts';

declare module '../jobs/types.ts' {
  interface JobMap {
    'email.continuity': { conversationId: string };
  }
}

/** One email carries at most this many replies; more wait for the next. */
const MAX_REPLIES_PER_EMAIL = 100;

export interface EmailContinuityDeps {
  store: Store;
  emails: EmailOutbox;
  jobs: JobOutbox;
  tokens: EmailTokens;
  clock: Clock;
  /** Whether a widget of this visitor is connected (on any node): it shows the reply live. */
  visitorConnected: (visitorId: string) => Promise<boolean>;
  /** PUBLIC_URL, else the origin the server listens on: where the email's links point. */
  publicOrigin: () => string;
}

export class EmailContinuity {
  constructor(private readonly deps: EmailContinuityDeps) {}

  /** `message.created` subscriber: schedules the check for an agent's reply. */
  async scheduleFor({ message, conversation }: EventMap['message.created']): Promise<void> {
    if (message.authorKind !== 'agent' || !this.deps.emails.enabled) return;
    const site = await this.deps.store.sites.findById(conversation.siteId);
    if (!site) return;
    const delayMs = site.widgetSettings.emailAfterMinutes * 60_000;
    await this.deps.jobs.enqueue('email.continuity', `email.continuity:${message.id}`, { conversationId: conversation.id }, { delayMs });
  }

  /**
   * The visitor's widget is open but the replies are unread: look again after another wait, so a visitor who
   * then leaves without reading still gets them. Checks of one conversation in the same wait share a key.
   */
  private async recheckLater(conversationId: string, afterMinutes: number): Promise<void> {
    const delayMs = afterMinutes * 60_000;
    const slot = Math.floor(this.deps.clock.now() / delayMs);
    await this.deps.jobs.enqueue('email.continuity', `email.continuity:${conversationId}:recheck:${slot}`, { conversationId }, { delayMs });
  }

  /** The job: emails the unseen agent replies, if any. */
  async check(conversationId: string): Promise<void> {
    const { store, emails, tokens } = this.deps;
    const conversation = await store.conversations.findById(conversationId);
    if (!conversation) return;
    const [site, visitor, previous, latest] = await Promise.all([
      store.sites.findById(conversation.siteId),
      store.visitors.findById(conversation.visitorId),
      store.emails.latest(conversationId, 'continuity'),
      store.emails.latest(conversationId),
    ]);
    if (!site || !visitor?.email) return;
    const emailedThrough = previous?.throughSeq ?? 0;
    const seenThrough = Math.max(emailedThrough, conversation.visitorReadSeq);
    if (seenThrough >= conversation.lastSeq) return;
    if (await this.deps.visitorConnected(visitor.id)) return this.recheckLater(conversationId, site.widgetSettings.emailAfterMinutes);
    const page = await store.conversations.history(conversationId, { afterSeq: seenThrough, limit: MAX_REPLIES_PER_EMAIL, includeNotes: false });
    const replies = page.messages.filter((m: MessageDTO) => m.authorKind === 'agent');
    if (replies.length === 0) return;
    const origin = this.deps.publicOrigin();
    const unsubscribeUrl = `${origin}/api/email/unsubscribe/${tokens.issue('unsubscribe', visitor.id)}`;
    const content = renderContinuityEmail({
      // The site's fixed widget language, else the visitor's browser language.
      locale: emailLocale([site.widgetSettings.locale === 'auto' ? null : site.widgetSettings.locale, visitor.locale]),
      siteName: site.name,
      color: site.widgetSettings.color,
      replies: replies.map((m) => ({ authorName: m.authorName, body: m.body, files: m.attachments.map((a) => a.fileName) })),
      continueUrl: `${origin}/c/${tokens.issue('continue', conversationId)}`,
      unsubscribeUrl,
    });
    await emails.queue({
      purpose: 'continuity',
      to: visitor.email,
      ...content,
      // Jobs racing over the same unseen replies compute the same key: one email.
      idempotencyKey: `continuity:${conversationId}:after:${emailedThrough}`,
      conversationId,
      siteId: site.id,
      visitorId: visitor.id,
      inReplyTo: latest?.messageId,
      references: latest ? [...latest.references, latest.messageId] : undefined,
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      throughSeq: replies.at(-1)!.seq,
    });
  }
}
