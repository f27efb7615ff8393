import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createMailTransport, TransientMailError } from '../../server/email/transport.ts';
import { PermanentJobError } from '../../server/jobs/types.ts';

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/** An in-process relay on loopback that answers each message with `answer` (null: accept). */
async function relay(answer: () => { code: number; message: string } | null, received: string[] = []): Promise<number> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const refusal = answer();
        if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.server.address() as AddressInfo).port;
}

const email = { to: 'visitor@example.com', subject: 'Hi', text: 'plain', html: '<p>plain</p>', messageId: '<m1@parley.test>' };

describe('mail transport', () => {
  it('sends through the relay with the chosen Message-ID and headers', async () => {
    const received: string[] = [];
    const port = await relay(() => null, received);
    const transport = createMailTransport(`smtp://127.0.0.1:${port}`, 'Support <support@example.com>');
    const sent = await transport.send({ ...email, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    transport.close();
    expect(sent.messageId).toBe('<m1@parley.test>');
    expect(received[0]).toContain('Message-ID: <m1@parley.test>');
    expect(received[0]).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  });

  it('treats a 4xx or a refused connection as transient and a 5xx as permanent', async () => {
    const deferring = await relay(() => ({ code: 451, message: 'try again later' }));
    const rejecting = await relay(() => ({ code: 550, message: 'no such mailbox' }));
    const closed = await relay(() => null);
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const attempt = (port: number) => {
      const transport = createMailTransport(`smtp://127.0.0.1:${port}`, 'support@example.com', { timeoutMs: 2_000 });
      return transport.send(email).finally(() => transport.close());
    };
    await expect(attempt(deferring)).rejects.toBeInstanceOf(TransientMailError);
    await expect(attempt(rejecting)).rejects.toBeInstanceOf(PermanentJobError);
    await expect(attempt(closed)).rejects.toBeInstanceOf(TransientMailError);
  });
});
