/**
 * The built-in SMTP receiver: the MX for MAIL_REPLY_DOMAIN. No AUTH (mail servers deliver to an MX without it);
 * only reply+…@MAIL_REPLY_DOMAIN recipients are accepted (others 550 at RCPT, so it relays nothing); messages
 * up to 25 MB. STARTTLS is offered only when a certificate and key are configured.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { AppError } from '../../app/errors.ts';
import type { Logger } from '../../app/logger.ts';
import type { InboundEmailService } from '../../app/inbound-email.ts';
import { isReplyAddress } from './match-conversation.ts';
import { MAX_INBOUND_EMAIL_BYTES } from './parse-email.ts';
import { InboundRefusal } from './refusal.ts';

export interface SmtpReceiverOptions {
  replyDomain: string;
  tls?: { cert: Buffer; key: Buffer };
  log: Logger;
}

export interface SmtpReceiver {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export function createSmtpReceiver(inbound: InboundEmailService, options: SmtpReceiverOptions): SmtpReceiver {
  const server = new SMTPServer({
    name: options.replyDomain,
    banner: 'Parley reply receiver',
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(options.tls && { cert: options.tls.cert, key: options.tls.key }),
    size: MAX_INBOUND_EMAIL_BYTES,
    maxClients: 200,
    // Shutdown waits this long for sessions in progress, then drops them (the sender retries).
    closeTimeout: 5_000,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (isReplyAddress(address.address, options.replyDomain)) return callback();
      callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
    },
    onData(stream, session, callback) {
      readAll(stream).then(
        async (raw) => {
          if (stream.sizeExceeded) return callback(smtpError(552, '5.3.4 Message too big'));
          try {
            await inbound.receive(raw, session.envelope.rcptTo.map((r) => r.address));
            callback();
          } catch (error) {
            callback(answerFor(error, options.log));
          }
        },
        (error: Error) => callback(answerFor(error, options.log)),
      );
    },
  });
  server.on('error', (error) => options.log.warn({ err: error }, 'SMTP receiver connection error'));
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => resolve((server.server.address() as AddressInfo).port));
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A refusal bounces (5xx, the sender learns it); anything else asks the sending server to try again (4xx). */
function answerFor(error: unknown, log: Logger): Error {
  if (error instanceof InboundRefusal) return smtpError(error.kind === 'too_large' ? 552 : 550, `5.7.1 ${error.message}`);
  if (!(error instanceof AppError)) log.error({ err: error }, 'email reply could not be stored');
  return smtpError(451, '4.3.0 Temporarily unable to take this message; try again later');
}

/** The message, or as much as the size limit allows: an oversized one is drained, not kept. */
async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += (chunk as Buffer).byteLength;
    if (bytes <= MAX_INBOUND_EMAIL_BYTES) chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
