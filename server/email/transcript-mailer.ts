/**
 * The TranscriptMailer for now: each transcript is an `email.transcript` job in the durable outbox, sent straight
 * through the relay (retried on 4xx and outages, buried on 5xx). To be moved onto the shared sent-email table.
 */
import type { TranscriptEmail, TranscriptMailer } from '../app/transcripts.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { JobWorker } from '../jobs/worker.ts';
import type { EmailTokens } from './tokens.ts';
import type { MailTransport } from './transport.ts';

export interface TranscriptJob {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Chosen when queued, so every retry sends the same Message-ID. */
  messageId: string;
  replyTo?: string;
}

declare module '../jobs/types.ts' {
  interface JobMap {
    'email.transcript': TranscriptJob;
  }
}

/** Where replies to the transcript go: the reply address when inbound email is set up; Message-IDs on that domain. */
export interface TranscriptAddressing {
  tokens: EmailTokens;
  /** MAIL_REPLY_DOMAIN, or the domain of MAIL_FROM. */
  messageIdDomain: string;
  replyDomain: string | undefined;
}

export function outboxTranscriptMailer(outbox: JobOutbox, addressing: TranscriptAddressing): TranscriptMailer {
  return {
    async send(email: TranscriptEmail) {
      const { tokens, messageIdDomain, replyDomain } = addressing;
      await outbox.enqueue('email.transcript', email.idempotencyKey, {
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: tokens.messageId(email.conversationId, messageIdDomain),
        ...(replyDomain && { replyTo: tokens.replyAddress(email.conversationId, replyDomain) }),
      });
    },
  };
}

export function handleTranscriptEmails(worker: JobWorker, transport: MailTransport, onOutcome?: (outcome: 'delivered' | 'failed') => void): void {
  worker.handle('email.transcript', async (job, { signal }) => {
    try {
      await transport.send(job, signal);
      onOutcome?.('delivered');
    } catch (error) {
      onOutcome?.('failed');
      throw error;
    }
  });
}
