/**
 * The one way to send email: `EmailOutbox.queue` writes the email and its `email.send` job in one transaction
 * (idempotent by key), and the job's handler (send-job.ts) sends it through the relay and records the outcome.
 *
 * Delivery guarantee: a queued email is never lost (row and job commit together; a worker that dies lets its
 * lease run out and another retries) and is sent at most once, except in one unavoidable window: the relay has
 * accepted the message (250) but the process dies before recording it as sent. The retry then sends it again,
 * with the same Message-ID, so a receiving system that de-duplicates by Message-ID shows it once.
 *
 * With SMTP_URL unset email is off: nothing is queued and `queue` answers null.
 */
import { randomUUID } from 'node:crypto';
import type { EmailPurpose } from '../contract/email.ts';
import type { Clock } from '../domain/clock.ts';
import type { EmailRecord, EmailStore } from './ports.ts';
import type { EmailTokens } from './tokens.ts';
import type { OutgoingAttachment } from './transport.ts';

export interface QueueEmail {
  purpose: EmailPurpose;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Unique per piece of work: queueing the same key again answers the first email and sends nothing more. */
  idempotencyKey: string;
  /** Set for email about a conversation: consoles list it with the conversation's emails. */
  conversationId?: string;
  /**
   * Whether a reply to it joins the conversation (default true, with a conversationId): its Message-ID then carries
   * a signed reply token (EmailTokens.messageId) and Reply-To defaults to the reply address. False for email to
   * agents: replying to an alert must not post into the conversation as the visitor's words.
   */
  repliesJoinConversation?: boolean;
  siteId?: string;
  /** The visitor it goes to: nothing is queued when they unsubscribed. */
  visitorId?: string;
  /** Defaults, for email whose replies join a conversation, to its reply address when MAIL_REPLY_DOMAIN is set; null: none. */
  replyTo?: string | null;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  attachments?: OutgoingAttachment[];
  /** Continuity email: the highest message seq it carries. */
  throughSeq?: number;
  /** Send no earlier than this many ms from now. */
  delayMs?: number;
}

export interface EmailOutboxOptions {
  store: EmailStore;
  clock: Clock;
  tokens: EmailTokens;
  /** Null when SMTP_URL is unset: email is off. */
  mail: { from: string; replyDomain: string | undefined } | null;
  /** Whether the visitor unsubscribed. */
  optedOut: (visitorId: string) => Promise<boolean>;
  /** Told when a job due now was added, so a worker need not wait for its next poll. */
  onDue?: () => void;
  /** Told of every email queued, so consoles show it. */
  onChange?: (email: EmailRecord) => void;
}

export class EmailOutbox {
  constructor(private readonly options: EmailOutboxOptions) {}

  /** Whether email is sent at all (SMTP_URL is set). */
  get enabled(): boolean {
    return this.options.mail !== null;
  }

  /** The domain of Message-IDs (and reply addresses): MAIL_REPLY_DOMAIN, else the domain of MAIL_FROM. */
  get domain(): string | null {
    const mail = this.options.mail;
    return mail ? (mail.replyDomain ?? fromDomain(mail.from)) : null;
  }

  /**
   * Queues the email unless email is off or the visitor unsubscribed (answers null). Queueing an existing
   * idempotency key answers the email stored under it.
   */
  async queue(input: QueueEmail): Promise<EmailRecord | null> {
    const { mail, store, clock, tokens } = this.options;
    if (!mail) return null;
    if (input.visitorId && (await this.options.optedOut(input.visitorId))) return null;
    const domain = this.domain!;
    const conversationId = input.conversationId ?? null;
    const replyThread = input.repliesJoinConversation === false ? null : conversationId;
    const messageId = replyThread ? tokens.messageId(replyThread, domain) : `<${randomUUID()}@${domain}>`;
    const replyTo = input.replyTo !== undefined ? input.replyTo : replyThread && mail.replyDomain ? tokens.replyAddress(replyThread, mail.replyDomain) : null;
    const now = clock.now();
    const runAt = new Date(now + Math.max(0, input.delayMs ?? 0));
    const { email, created } = await store.queue(
      {
        idempotencyKey: input.idempotencyKey,
        purpose: input.purpose,
        conversationId,
        siteId: input.siteId ?? null,
        visitorId: input.visitorId ?? null,
        recipient: input.to,
        subject: input.subject,
        text: input.text,
        html: input.html,
        messageId,
        replyTo,
        inReplyTo: input.inReplyTo ?? null,
        references: input.references ?? [],
        headers: input.headers ?? {},
        attachments: input.attachments ?? [],
        throughSeq: input.throughSeq ?? null,
      },
      (emailId) => ({ jobKey: `email.send:${emailId}`, runAt }),
      new Date(now),
    );
    if (created) {
      if (runAt.getTime() <= now) this.options.onDue?.();
      this.options.onChange?.(email);
    }
    return email;
  }
}

function fromDomain(from: string): string {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return address.slice(address.lastIndexOf('@') + 1);
}
