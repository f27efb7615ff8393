/**
 * AgentMailer over the job outbox: each email is an `email.agent-alert` job (once per idempotency key), sent
 * through the relay by createMailTransport; a relay that is down or deferring is retried, a 5xx buries the job.
 */
import { createHash } from 'node:crypto';
import type { AgentEmail, AgentMailer } from '../app/alert-ports.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { JobWorker } from '../jobs/worker.ts';
import type { MailTransport } from './transport.ts';

declare module '../jobs/types.ts' {
  interface JobMap {
    'email.agent-alert': Omit<AgentEmail, 'idempotencyKey'>;
  }
}

export function outboxAgentMailer(outbox: JobOutbox): AgentMailer {
  return {
    async send({ idempotencyKey, ...email }) {
      await outbox.enqueue('email.agent-alert', idempotencyKey, email);
    },
  };
}

/** `messageDomain`: the right side of Message-IDs, chosen from the key so a retry sends the same one. */
export function handleAgentAlertEmails(worker: JobWorker, transport: MailTransport, messageDomain: string): void {
  worker.handle('email.agent-alert', async (email, { signal, idempotencyKey }) => {
    const messageId = `<alert.${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${messageDomain}>`;
    await transport.send({ ...email, messageId }, signal);
  });
}
