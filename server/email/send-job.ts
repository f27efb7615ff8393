/**
 * The `email.send` job: sends one queued email through the relay and records the outcome. A relay that defers
 * (4xx), refuses the connection or times out is retried with backoff; a 5xx, or the last attempt, marks the
 * email failed with the relay's reason.
 */
import type { Logger } from '../app/logger.ts';
import type { Clock } from '../domain/clock.ts';
import { PermanentJobError, type RetryPolicy } from '../jobs/types.ts';
import type { JobWorker } from '../jobs/worker.ts';
import type { EmailRecord, EmailStore } from './ports.ts';
import type { MailTransport } from './transport.ts';

declare module '../jobs/types.ts' {
  interface JobMap {
    'email.send': { emailId: string };
  }
}

/**
 * 30 s doubling to a 1 h cap, 20 attempts: a relay down for most of a day still gets the mail. The base delay
 * can be shortened (EMAIL_RETRY_BASE_MS) so fault tests can play a long outage in seconds. A run may take as long
 * as the transport's own timeout per step (SMTP_TIMEOUT_MS, 30 s by default), which keeps the job lease, and so
 * the time an email held by a crashed node waits for another, near a minute by default.
 */
export function emailRetryPolicy(baseDelayMs = 30_000, timeoutMs = 30_000): RetryPolicy {
  return { maxAttempts: 20, baseDelayMs, maxDelayMs: 3_600_000, timeoutMs };
}

const UNSUBSCRIBED = 'Not sent: the recipient unsubscribed';

export interface EmailSendDeps {
  emails: EmailStore;
  transport: MailTransport;
  clock: Clock;
  log: Logger;
  policy: RetryPolicy;
  /** Told of every state change, so consoles show it. */
  onChange?: (email: EmailRecord) => void;
  /** Counts each attempt's outcome (metrics). */
  onOutcome?: (outcome: 'delivered' | 'failed' | 'dead') => void;
}

export function handleEmailSends(worker: JobWorker, deps: EmailSendDeps): void {
  const { emails, transport, clock, log, policy } = deps;
  const changed = (email: EmailRecord | null) => {
    if (email) deps.onChange?.(email);
  };
  worker.handle('email.send', async ({ emailId }, { signal, attempt }) => {
    const email = await emails.findById(emailId);
    // Already sent or given up by an earlier run.
    if (!email || email.state !== 'queued') return;
    const at = () => new Date(clock.now());
    // Unsubscribed after it was queued (a retry waiting for the relay): it is not sent.
    if (email.visitorId && (await emails.optedOut(email.visitorId))) return changed(await emails.markFailed(email.id, UNSUBSCRIBED, at()));
    try {
      const sent = await transport.send(
        {
          to: email.recipient,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          replyTo: email.replyTo ?? undefined,
          inReplyTo: email.inReplyTo ?? undefined,
          references: email.references.length > 0 ? email.references : undefined,
          headers: email.headers,
          attachments: email.attachments,
        },
        signal,
      );
      // Past this point a crash before the commit sends the email again on retry (see outbox.ts).
      changed(await emails.markSent(email.id, sent.response, at()));
      deps.onOutcome?.('delivered');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentJobError || attempt >= policy.maxAttempts) {
        log.warn({ email: email.id, purpose: email.purpose, attempt, reason }, 'email failed for good');
        changed(await emails.markFailed(email.id, reason, at()));
        deps.onOutcome?.('dead');
        throw error instanceof PermanentJobError ? error : new PermanentJobError(reason);
      }
      changed(await emails.recordRetry(email.id, reason, at()));
      deps.onOutcome?.('failed');
      throw error;
    }
  }, policy);
}
