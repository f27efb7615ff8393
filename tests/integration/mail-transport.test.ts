import { afterEach, describe, expect, it } from 'vitest';
import { createMailTransport, TransientMailError } from '../../server/email/transport.ts';
import { PermanentJobError } from '../../server/jobs/types.ts';
import { startSmtpRelay, type SmtpRefusal, type SmtpRelay } from '../support/smtp-relay.ts';

const relays: SmtpRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

async function relay(refuse: () => SmtpRefusal | null): Promise<SmtpRelay> {
  const started = await startSmtpRelay({ refuse });
  relays.push(started);
  return started;
}

const email = { to: 'visitor@example.com', subject: 'Hi', text: 'plain', html: '<p>plain</p>', messageId: '<m1@parley.test>' };

describe('mail transport', () => {
  it('sends through the relay with the chosen Message-ID and headers', async () => {
    const { port, received } = await relay(() => null);
    const transport = createMailTransport(`smtp://127.0.0.1:${port}`, 'Support <support@example.com>');
    const sent = await transport.send({ ...email, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    transport.close();
    expect(sent.messageId).toBe('<m1@parley.test>');
    expect(received[0]).toContain('Message-ID: <m1@parley.test>');
    expect(received[0]).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('treats a 4xx or a refused connection as transient and a 5xx as permanent', async () => {
    const deferring = (await relay(() => ({ code: 451, message: 'try again later' }))).port;
    const rejecting = (await relay(() => ({ code: 550, message: 'no such mailbox' }))).port;
    const stopped = await startSmtpRelay();
    const closed = stopped.port;
    await stopped.close();
    const attempt = (port: number) => {
      const transport = createMailTransport(`smtp://127.0.0.1:${port}`, 'support@example.com', { timeoutMs: 2_000 });
      return transport.send(email).finally(() => transport.close());
    };
    await expect(attempt(deferring)).rejects.toBeInstanceOf(TransientMailError);
    await expect(attempt(rejecting)).rejects.toBeInstanceOf(PermanentJobError);
    await expect(attempt(closed)).rejects.toBeInstanceOf(TransientMailError);
  });
});
