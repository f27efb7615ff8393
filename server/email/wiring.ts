/**
 * Wires outgoing email into a Parley: the outbox every feature queues through, the `email.send` handler (only
 * when SMTP_URL is set), continuity email scheduled from agent messages, the unsubscribe use case, and the
 * `email.changed` events consoles follow.
 */
import { EmailContinuity } from '../app/email-continuity.ts';
import { EmailUnsubscribe } from '../app/email-unsubscribe.ts';
import type { DomainEvents } from '../app/events.ts';
import type { Logger } from '../app/logger.ts';
import type { Store } from '../app/ports.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { JobWorker } from '../jobs/worker.ts';
import { EmailOutbox } from './outbox.ts';
import { toEmailDTO, type EmailRecord } from './ports.ts';
import { emailRetryPolicy, handleEmailSends } from './send-job.ts';
import { EmailTokens } from './tokens.ts';
import { createMailTransport } from './transport.ts';

export interface EmailWiringDeps {
  config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'MAIL_REPLY_DOMAIN' | 'EMAIL_RETRY_BASE_MS' | 'SMTP_TIMEOUT_MS'>;
  /** Signs the tokens email carries (reply, continue, unsubscribe). */
  secret: string;
  store: Store;
  clock: Clock;
  log: Logger;
  events: DomainEvents;
  jobs: { outbox: JobOutbox; worker: JobWorker };
  /** Counts each send attempt's outcome (metrics). */
  onOutcome: (outcome: 'delivered' | 'failed' | 'dead') => void;
  /** Whether a widget of this visitor is connected, on any node. */
  visitorConnected: (visitorId: string) => Promise<boolean>;
  /** Where the links in email point: PUBLIC_URL, else the origin the server listens on. */
  publicOrigin: () => string;
}

export interface EmailWiring {
  outbox: EmailOutbox;
  tokens: EmailTokens;
  unsubscribe: EmailUnsubscribe;
  /** Closes the relay connections (after the job worker stopped). */
  close(): void;
}

export function wireEmail(deps: EmailWiringDeps): EmailWiring {
  const { config, store, clock, events, jobs } = deps;
  const tokens = new EmailTokens(deps.secret, clock);
  // Consoles follow the emails of the conversations they show.
  const changed = (email: EmailRecord) => {
    if (email.conversationId) events.emit('email.changed', { email: toEmailDTO(email) });
  };
  const on = config.SMTP_URL && config.MAIL_FROM ? { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM } : null;
  const outbox = new EmailOutbox({
    store: store.emails,
    clock,
    tokens,
    mail: on && { from: on.from, replyDomain: config.MAIL_REPLY_DOMAIN },
    optedOut: (visitorId) => store.emails.optedOut(visitorId),
    onDue: () => jobs.worker.kick(),
    onChange: changed,
  });
  const transport = on && createMailTransport(on.smtpUrl, on.from, { timeoutMs: config.SMTP_TIMEOUT_MS });
  if (transport) {
    const policy = emailRetryPolicy(config.EMAIL_RETRY_BASE_MS, config.SMTP_TIMEOUT_MS);
    handleEmailSends(jobs.worker, { emails: store.emails, transport, clock, log: deps.log, policy, onOutcome: deps.onOutcome, onChange: changed });
  }
  const continuity = new EmailContinuity({
    store,
    emails: outbox,
    jobs: jobs.outbox,
    tokens,
    clock,
    visitorConnected: deps.visitorConnected,
    publicOrigin: deps.publicOrigin,
  });
  events.on('message.created', (event) => continuity.scheduleFor(event));
  jobs.worker.handle('email.continuity', ({ conversationId }) => continuity.check(conversationId));
  return { outbox, tokens, unsubscribe: new EmailUnsubscribe(tokens, store.emails, clock), close: () => transport?.close() };
}
