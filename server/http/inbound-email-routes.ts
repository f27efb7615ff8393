/**
 * POST /api/inbound/email: replies forwarded by an email service instead of the built-in SMTP receiver. Takes
 * the raw RFC 5322 message as `message/rfc822` or `text/plain`, or inside the fields that carry it:
 * - Postmark inbound webhook (JSON, "Include raw email content" on): `RawEmail`, recipient in `OriginalRecipient`;
 * - Mailgun route forwarding to a URL ending in `mime` (form-urlencoded): `body-mime`, recipient in `recipient`;
 * - SendGrid Inbound Parse with "POST the raw, full MIME message" (form-urlencoded): `email`, recipients in `envelope`;
 * - or JSON `{ "raw": "…" }`.
 * multipart/form-data is not read (no multipart parser is installed): 415.
 * Protected by INBOUND_EMAIL_SECRET as a Bearer token or the password of Basic auth.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../app/errors.ts';
import type { InboundEmailService } from '../app/inbound-email.ts';
import { MAX_INBOUND_EMAIL_BYTES } from '../email/inbound/parse-email.ts';
import { InboundRefusal } from '../email/inbound/refusal.ts';
import { route } from './errors.ts';

/** Text fields carry the message with some encoding overhead (JSON escapes, percent-encoding). */
const BODY_LIMIT = MAX_INBOUND_EMAIL_BYTES * 2;
const rawText = z.string().min(1).max(BODY_LIMIT);
const fieldShapes = z.union([
  z.object({ RawEmail: rawText, OriginalRecipient: z.string().max(1000).optional() }).transform((b) => ({ raw: b.RawEmail, to: [b.OriginalRecipient] })),
  z.object({ 'body-mime': rawText, recipient: z.string().max(10_000).optional() }).transform((b) => ({ raw: b['body-mime'], to: b.recipient?.split(',') ?? [] })),
  z.object({ email: rawText, envelope: z.string().max(10_000).optional() }).transform((b) => ({ raw: b.email, to: envelopeRecipients(b.envelope) })),
  z.object({ raw: rawText }).transform((b) => ({ raw: b.raw, to: [] })),
]);

export function inboundEmailRoutes(inbound: InboundEmailService, secret: string): Router {
  const router = Router();
  router.use((req, res, next) => {
    if (authorised(req, secret)) return next();
    // Some services send Basic credentials from the URL only when challenged.
    res.setHeader('WWW-Authenticate', 'Basic realm="parley-inbound-email"');
    next(new AppError('UNAUTHORIZED', 'A valid INBOUND_EMAIL_SECRET is required'));
  });
  router.use(express.raw({ type: ['message/rfc822', 'text/plain'], limit: MAX_INBOUND_EMAIL_BYTES }));
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100 }));
  router.post('/email', route(async (req, res) => {
    const { raw, to } = readMessage(req);
    try {
      const outcome = await inbound.receive(raw, to.filter((a): a is string => Boolean(a)).map((a) => a.trim()));
      res.status(outcome.duplicate ? 200 : 201).json(outcome);
    } catch (error) {
      if (!(error instanceof InboundRefusal)) throw error;
      if (error.kind === 'too_large') throw new AppError('PAYLOAD_TOO_LARGE', error.message);
      throw new AppError(error.kind === 'malformed' ? 'BAD_REQUEST' : 'UNPROCESSABLE', error.message);
    }
  }));
  return router;
}

function readMessage(req: Request): { raw: Buffer; to: (string | undefined)[] } {
  if (Buffer.isBuffer(req.body)) {
    if (req.body.byteLength === 0) throw new AppError('BAD_REQUEST', 'The body is empty: send the raw message');
    return { raw: req.body, to: [] };
  }
  if (!req.is('application/json') && !req.is('application/x-www-form-urlencoded')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the raw message as message/rfc822 or text/plain, or as a JSON or form field (RawEmail, body-mime, email or raw)');
  }
  const parsed = fieldShapes.safeParse(req.body);
  if (!parsed.success) throw new AppError('BAD_REQUEST', 'No raw message field: RawEmail (Postmark), body-mime (Mailgun), email (SendGrid) or raw');
  return { raw: Buffer.from(parsed.data.raw, 'utf8'), to: parsed.data.to };
}

function envelopeRecipients(envelope: string | undefined): string[] {
  if (!envelope) return [];
  try {
    const to = (JSON.parse(envelope) as { to?: unknown }).to;
    return Array.isArray(to) ? to.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/** Bearer <secret>, or Basic with <secret> as the password (any user name). Compared as hashes, in constant time. */
function authorised(req: Request, secret: string): boolean {
  const header = req.get('authorization') ?? '';
  const [scheme, value = ''] = header.split(' ', 2);
  let given: string | undefined;
  if (scheme?.toLowerCase() === 'bearer') given = value;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    given = decoded.slice(decoded.indexOf(':') + 1);
  }
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
