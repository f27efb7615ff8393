/**
 * Parley's email replies, built from its settings: with MAIL_REPLY_DOMAIN, replies
 * into conversations (and the SMTP receiver with INBOUND_SMTP_PORT); with SMTP_URL, transcript emails.
 */
import { readFileSync } from 'node:fs';
import type { AttachmentService } from '../app/attachments.ts';
import type { ConversationService } from '../app/conversations.ts';
import { InboundEmailService } from '../app/inbound-email.ts';
import type { Logger } from '../app/logger.ts';
import type { Notifier, Store } from '../app/ports.ts';
import type { Routing } from '../app/routing-port.ts';
import { TranscriptService } from '../app/transcripts.ts';
import type { Visibility } from '../app/visibility.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { JobWorker } from '../jobs/worker.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { createSmtpReceiver } from './inbound/smtp-receiver.ts';
import type { EmailTokens } from './tokens.ts';
import { handleTranscriptEmails, outboxTranscriptMailer } from './transcript-mailer.ts';
import { createMailTransport } from './transport.ts';

export interface EmailPartsDeps {
  store: Store;
  conversations: ConversationService;
  attachments: AttachmentService;
  routing: Routing;
  visibility: Visibility;
  notifier: Notifier;
  outbox: JobOutbox;
  worker: JobWorker;
  metrics: Metrics;
  /** The signed tokens outgoing email carries (server/email/wiring.ts makes them). */
  tokens: EmailTokens;
  clock: Clock;
  log: Logger;
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
  const transport = config.SMTP_URL ? createMailTransport(config.SMTP_URL, config.MAIL_FROM!) : undefined;
  if (transport) handleTranscriptEmails(deps.worker, transport, (outcome) => deps.metrics.recordDelivery('email', outcome));
  // Message-IDs name a domain of ours: the reply domain, or else the one of MAIL_FROM.
  const messageIdDomain = replyDomain ?? config.MAIL_FROM?.replace(/^.*@|>$/g, '') ?? 'localhost';
  const transcripts = transport ? new TranscriptService(deps.store, outboxTranscriptMailer(deps.outbox, { tokens, messageIdDomain, replyDomain })) : undefined;
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
      transport?.close();
    },
  };
}
