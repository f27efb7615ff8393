/**
 * An in-process SMTP relay on loopback (smtp-server) for tests that send email: it records every message it
 * accepts as its raw RFC 5322 text, and answers with `refuse(raw)`'s code instead when that returns one
 * (e.g. 451 to defer, 550 to reject); it is shown the message, so a test can count refusals per email.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface SmtpRefusal {
  code: number;
  message: string;
}

export interface SmtpRelay {
  port: number;
  /** The raw text of every accepted message, in the order accepted. */
  received: string[];
  close(): Promise<void>;
}

export async function startSmtpRelay(options: { refuse?: (raw: string) => SmtpRefusal | null; port?: number } = {}): Promise<SmtpRelay> {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const refusal = options.refuse?.(raw) ?? null;
        if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        received.push(raw);
        callback();
      });
    },
  });
  // A sender that vanishes mid-session (a killed server) resets its connection: not the relay's failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
