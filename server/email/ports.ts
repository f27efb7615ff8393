/** What outgoing email keeps in the database (server/db/emails.ts). */
import type { EmailDTO, EmailPurpose, EmailState } from '../contract/email.ts';
import type { OutgoingAttachment } from './transport.ts';

export interface NewEmail {
  idempotencyKey: string;
  purpose: EmailPurpose;
  conversationId: string | null;
  siteId: string | null;
  visitorId: string | null;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  replyTo: string | null;
  inReplyTo: string | null;
  references: string[];
  headers: Record<string, string>;
  attachments: OutgoingAttachment[];
  throughSeq: number | null;
}

export interface EmailRecord extends NewEmail {
  id: string;
  state: EmailState;
  attempts: number;
  reason: string | null;
  relayResponse: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

export interface EmailJobRef {
  /** The `email.send` job's own idempotency key. */
  jobKey: string;
  runAt: Date;
}

export interface EmailStore {
  /**
   * Writes the email and its `email.send` job in one transaction, so a crash leaves both or neither. Answers the
   * stored email and whether it was new (false: an email with this idempotency key existed, nothing was written).
   */
  queue(email: NewEmail, job: (emailId: string) => EmailJobRef, at: Date): Promise<{ email: EmailRecord; created: boolean }>;
  findById(id: string): Promise<EmailRecord | null>;
  /** The newest email about the conversation (of this purpose, when given), whatever its state. */
  latest(conversationId: string, purpose?: EmailPurpose): Promise<EmailRecord | null>;
  /** Every email about the conversation, oldest first. */
  forConversation(conversationId: string): Promise<EmailRecord[]>;
  /** An attempt failed and another will follow. */
  recordRetry(id: string, reason: string, at: Date): Promise<EmailRecord | null>;
  /** Only a queued email changes: answers null when it was sent or failed already. */
  markSent(id: string, relayResponse: string, at: Date): Promise<EmailRecord | null>;
  markFailed(id: string, reason: string, at: Date): Promise<EmailRecord | null>;
  /** The visitor used an unsubscribe link: false when no such visitor exists. */
  optOut(visitorId: string, at: Date): Promise<boolean>;
  optedOut(visitorId: string): Promise<boolean>;
}

export function toEmailDTO(email: EmailRecord): EmailDTO {
  return {
    id: email.id,
    purpose: email.purpose,
    conversationId: email.conversationId,
    siteId: email.siteId,
    recipient: email.recipient,
    subject: email.subject,
    state: email.state,
    attempts: email.attempts,
    reason: email.reason,
    relayResponse: email.relayResponse,
    createdAt: email.createdAt.toISOString(),
    sentAt: email.sentAt?.toISOString() ?? null,
  };
}
