/** Email replies built and delivered the way a visitor's mail server would: nodemailer composes and speaks SMTP. */
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

export const REPLY_DOMAIN = 'reply.parley.test';
export const INBOUND_SECRET = 'inbound-secret-0123456789';

/** The raw RFC 5322 bytes of a message. */
export async function compose(message: Mail.Options): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await composer.sendMail(message);
  return info.message as Buffer;
}

/** Delivers raw bytes to the receiver; rejects with nodemailer's error (responseCode, response) when refused. */
export async function deliverSmtp(port: number, raw: Buffer, envelope: { from: string; to: string[] }): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 5_000 });
  try {
    await transport.sendMail({ envelope, raw });
  } finally {
    transport.close();
  }
}

export function postInbound(url: string, body: BodyInit | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/inbound/email`, {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${INBOUND_SECRET}`, ...headers },
    body: Buffer.isBuffer(body) ? new Uint8Array(body) : body,
  });
}
