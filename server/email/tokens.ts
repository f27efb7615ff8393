/**
 * Signed tokens that email carries: the reply address (reply+<token>@MAIL_REPLY_DOMAIN), the "continue the
 * conversation" link (/c/<token>) and the one-click unsubscribe link. Each names one subject (a conversation or a
 * visitor id, a UUID), a purpose bound into its MAC, and an expiry.
 *
 * Written by hand rather than as JWTs: a reply token lives in an address's local part, which is at most 64
 * characters and treated as case-insensitive by many relays, so it is lower-case hex of 28 bytes (16 of id,
 * 4 of expiry in minutes since the epoch, 8 of HMAC-SHA256) = 56 characters; 64 bits of MAC is plenty for a
 * token that can only be tried by sending email.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';

export type EmailTokenPurpose = 'reply' | 'continue' | 'unsubscribe';

/** How long each kind of token is honoured after its email was sent. */
export const EMAIL_TOKEN_TTL_MS: Record<EmailTokenPurpose, number> = {
  reply: 90 * 86_400_000,
  continue: 7 * 86_400_000,
  unsubscribe: 365 * 86_400_000,
};

export interface VerifiedEmailToken {
  /** The conversation (reply, continue) or visitor (unsubscribe) the token was issued for. */
  subjectId: string;
  expiresAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = /^[0-9a-f]{56}$/;
const REPLY_LOCAL = /^reply\+([0-9a-f]{56})$/;
const MESSAGE_ID = /^<?r\.([0-9a-f]{56})\.[0-9a-f]{12}@[^<>@\s]+>?$/;

export class EmailTokens {
  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
  ) {}

  issue(purpose: EmailTokenPurpose, subjectId: string, ttlMs: number = EMAIL_TOKEN_TTL_MS[purpose]): string {
    const id = subjectId.toLowerCase();
    if (!UUID.test(id)) throw new Error(`email token subject must be a UUID, got ${subjectId}`);
    const expiry = Buffer.alloc(4);
    expiry.writeUInt32BE(Math.ceil((this.clock.now() + ttlMs) / 60_000));
    const body = Buffer.concat([Buffer.from(id.replaceAll('-', ''), 'hex'), expiry]);
    return Buffer.concat([body, this.mac(purpose, body)]).toString('hex');
  }

  /** The token's subject, or null when it is malformed, forged, made for another purpose or expired. */
  verify(purpose: EmailTokenPurpose, token: string): VerifiedEmailToken | null {
    const lower = token.toLowerCase();
    if (!TOKEN.test(lower)) return null;
    const bytes = Buffer.from(lower, 'hex');
    const body = bytes.subarray(0, 20);
    if (!timingSafeEqual(bytes.subarray(20), this.mac(purpose, body))) return null;
    const expiresAt = new Date(body.readUInt32BE(16) * 60_000);
    if (expiresAt.getTime() <= this.clock.now()) return null;
    const hex = body.subarray(0, 16).toString('hex');
    const subjectId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return { subjectId, expiresAt };
  }

  /** The Reply-To address of an email about this conversation. */
  replyAddress(conversationId: string, domain: string): string {
    return `reply+${this.issue('reply', conversationId)}@${domain}`;
  }

  /** The conversation a reply address names, or null when it is not one of ours (other domain, forged, expired). */
  conversationOfReplyAddress(address: string, domain: string): string | null {
    const at = address.lastIndexOf('@');
    if (at < 0 || address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
    const match = REPLY_LOCAL.exec(address.slice(0, at).toLowerCase());
    return match ? (this.verify('reply', match[1]!)?.subjectId ?? null) : null;
  }

  /**
   * A Message-ID for an email about this conversation that itself carries a reply token, so a reply's
   * In-Reply-To or References finds the conversation even when the reply address was rewritten by the relay.
   */
  messageId(conversationId: string, domain: string): string {
    return `<r.${this.issue('reply', conversationId)}.${randomBytes(6).toString('hex')}@${domain}>`;
  }

  /** The conversation named by one of our Message-IDs (as messageId made it), or null. */
  conversationOfMessageId(messageId: string): string | null {
    const match = MESSAGE_ID.exec(messageId.trim().toLowerCase());
    return match ? (this.verify('reply', match[1]!)?.subjectId ?? null) : null;
  }

  private mac(purpose: EmailTokenPurpose, body: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(`email-${purpose}:`).update(body).digest().subarray(0, 8);
  }
}
