/**
 * Parley's email replies, built from its settings: with MAIL_REPLY_DOMAIN, replies
 * into conversations (and the SMTP receiver with INBOUND_SMTP_PORT); with SMTP_URL, transcript emails queued
 * through the EmailOutbox.
 */
import { readFileSync } from 'node:fs';
import { InboundEmailService, type InboundEmailDeps } from '../app/inbound-email.ts';
import { TranscriptService } from '../app/transcripts.ts';
import type { Config } from '../config.ts';
import { createSmtpReceiver } from './inbound/smtp-receiver.ts';
import type { EmailOutbox } from './outbox.ts';
import type { EmailTokens } from './tokens.ts';

/** What the reply service needs (its reply domain comes from the settings), and where transcripts are queued. */
export interface EmailPartsDeps extends Omit<InboundEmailDeps, 'replyDomain'> {
  /** Where transcripts are queued (server/email/wiring.ts makes it, and the signed tokens outgoing email carries). */
  emails: EmailOutbox;
}

export interface EmailParts {
  tokens: EmailTokens;
  /** Undefined without MAIL_REPLY_DOMAIN. */
  inbound: InboundEmailService | undefined;
  /** Undefined without SMTP_URL. */
  transcripts: TranscriptService | undefined;
  /** Starts the SMTP receiver when configured; resolves with its port. */
  listen(): Promise<number | undefined>;
  close(): Promise<void>;
}

export function createEmailParts(config: Config, deps: EmailPartsDeps): EmailParts {
  const { tokens } = deps;
  const replyDomain = config.MAIL_REPLY_DOMAIN;
  const inbound = replyDomain ? new InboundEmailService({ ...deps, tokens, replyDomain }) : undefined;
  const tls = config.INBOUND_SMTP_TLS_CERT ? { cert: readFileSync(config.INBOUND_SMTP_TLS_CERT), key: readFileSync(config.INBOUND_SMTP_TLS_KEY!) } : undefined;
  const receiver = inbound && config.INBOUND_SMTP_PORT !== undefined ? createSmtpReceiver(inbound, { replyDomain: replyDomain!, log: deps.log, ...(tls && { tls }) }) : undefined;
  const transcripts = deps.emails.enabled ? new TranscriptService(deps.store, deps.emails) : undefined;
  return {
    tokens,
    inbound,
    transcripts,
    async listen() {
      if (!receiver) return undefined;
      const port = await receiver.listen(config.INBOUND_SMTP_PORT!, config.HOST);
      deps.log.info({ port, starttls: Boolean(tls) }, 'SMTP receiver for email replies listening');
      return port;
    },
    async close() {
      await receiver?.close();
    },
  };
}
