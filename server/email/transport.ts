/**
 * Sends one email through the configured relay (nodemailer's SMTP transport) and sorts failures into those a
 * retry can fix and those it cannot, so the job outbox retries a relay that is down or deferring (4xx, refused
 * connection, timeout) and buries an email the relay rejected (5xx: no such mailbox, policy).
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { PermanentJobError } from '../jobs/types.ts';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** `<id@domain>`, chosen before sending so a retry sends the same Message-ID. */
  messageId: string;
  replyTo?: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>;
  attachments?: OutgoingAttachment[];
}

export interface SentEmail {
  messageId: string;
  /** The relay's final answer, e.g. "250 2.0.0 Ok: queued as 4F2A". */
  response: string;
}

export interface MailTransport {
  /** Throws PermanentJobError when retrying cannot help, any other error when it might. */
  send(email: OutgoingEmail, signal?: AbortSignal): Promise<SentEmail>;
  close(): void;
}

export class TransientMailError extends Error {}

export function createMailTransport(smtpUrl: string, from: string, options: { timeoutMs?: number } = {}): MailTransport {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  } as SMTPTransport.Options);
  return {
    async send(email, signal) {
      if (signal?.aborted) throw new TransientMailError('sending was abandoned');
      try {
        const info = await transporter.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          replyTo: email.replyTo,
          inReplyTo: email.inReplyTo,
          references: email.references,
          headers: email.headers,
          attachments: email.attachments,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        return { messageId: info.messageId, response: info.response };
      } catch (error) {
        throw classifyMailError(error);
      }
    },
    close: () => transporter.close(),
  };
}

/** A relay's 5xx (or an address nodemailer refuses outright) is permanent; everything else may pass later. */
export function classifyMailError(error: unknown): Error {
  const failure = error as { responseCode?: number; code?: string; message?: string; response?: string };
  const reason = failure.response ?? failure.message ?? String(error);
  if (typeof failure.responseCode === 'number' && failure.responseCode >= 500) return new PermanentJobError(reason);
  if (failure.code === 'EENVELOPE' && failure.responseCode === undefined) return new PermanentJobError(reason);
  return new TransientMailError(reason);
}
