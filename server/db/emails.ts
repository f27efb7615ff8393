/**
 * Outgoing email. An email row and its `email.send` job are written in one transaction: a crash between them
 * cannot leave an email no job will send, or a job with no email.
 */
import type { IdGenerator } from '../app/ids.ts';
import type { EmailPurpose, EmailState } from '../contract/email.ts';
import type { EmailJobRef, EmailRecord, EmailStore, NewEmail } from '../email/ports.ts';
import type { OutgoingAttachment } from '../email/transport.ts';
import { isUniqueViolation } from './errors.ts';
import type { Email, PrismaClient } from './generated/sqlite/client.ts';

/** The job kind the send handler registers (server/email/send-job.ts). */
export const EMAIL_SEND_JOB = 'email.send';

const MAX_TEXT_CHARS = 2_000;

export class PrismaEmailStore implements EmailStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async queue(email: NewEmail, job: (emailId: string) => EmailJobRef, at: Date) {
    const id = this.newId();
    const { jobKey, runAt } = job(id);
    try {
      const [row] = await this.prisma.$transaction([
        this.prisma.email.create({
          data: {
            id,
            ...email,
            references: email.references,
            headers: email.headers,
            attachments: email.attachments.map(({ filename, contentType, content }) => ({ filename, contentType, contentBase64: content.toString('base64') })),
            createdAt: at,
            updatedAt: at,
          },
        }),
        this.prisma.job.create({ data: { id: this.newId(), kind: EMAIL_SEND_JOB, idempotencyKey: jobKey, payload: { emailId: id }, runAt, createdAt: at, updatedAt: at } }),
      ]);
      return { email: toRecord(row), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.prisma.email.findUnique({ where: { idempotencyKey: email.idempotencyKey } });
      if (!existing) throw error;
      return { email: toRecord(existing), created: false };
    }
  }

  async findById(id: string) {
    const row = await this.prisma.email.findUnique({ where: { id } });
    return row && toRecord(row);
  }

  async latest(conversationId: string, purpose?: EmailPurpose) {
    const row = await this.prisma.email.findFirst({ where: { conversationId, purpose }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
    return row && toRecord(row);
  }

  async forConversation(conversationId: string) {
    const rows = await this.prisma.email.findMany({ where: { conversationId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map(toRecord);
  }

  recordRetry(id: string, reason: string, at: Date) {
    return this.settle(id, { reason: reason.slice(0, MAX_TEXT_CHARS), attempts: { increment: 1 }, updatedAt: at });
  }

  markSent(id: string, relayResponse: string, at: Date) {
    return this.settle(id, { state: 'sent', relayResponse: relayResponse.slice(0, MAX_TEXT_CHARS), reason: null, attempts: { increment: 1 }, sentAt: at, updatedAt: at });
  }

  markFailed(id: string, reason: string, at: Date) {
    return this.settle(id, { state: 'failed', reason: reason.slice(0, MAX_TEXT_CHARS), attempts: { increment: 1 }, updatedAt: at });
  }

  async optOut(visitorId: string, at: Date) {
    // The first opt-out's time is kept.
    await this.prisma.visitor.updateMany({ where: { id: visitorId, emailOptOutAt: null }, data: { emailOptOutAt: at } });
    return (await this.prisma.visitor.count({ where: { id: visitorId } })) === 1;
  }

  async optedOut(visitorId: string) {
    const visitor = await this.prisma.visitor.findUnique({ where: { id: visitorId }, select: { emailOptOutAt: true } });
    return visitor?.emailOptOutAt != null;
  }

  /** Changes a queued email only: a sent or failed one is final. */
  private async settle(id: string, data: Parameters<PrismaClient['email']['updateMany']>[0]['data']) {
    const { count } = await this.prisma.email.updateMany({ where: { id, state: 'queued' }, data });
    return count === 1 ? this.findById(id) : null;
  }
}

function toRecord(row: Email): EmailRecord {
  const attachments = (row.attachments as { filename: string; contentType: string; contentBase64: string }[]).map(
    (a): OutgoingAttachment => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64') }),
  );
  return {
    id: row.id,
    idempotencyKey: row.idempotencyKey,
    purpose: row.purpose as EmailPurpose,
    conversationId: row.conversationId,
    siteId: row.siteId,
    visitorId: row.visitorId,
    recipient: row.recipient,
    subject: row.subject,
    text: row.text,
    html: row.html,
    messageId: row.messageId,
    replyTo: row.replyTo,
    inReplyTo: row.inReplyTo,
    references: row.references as string[],
    headers: row.headers as Record<string, string>,
    attachments,
    throughSeq: row.throughSeq,
    state: row.state as EmailState,
    attempts: row.attempts,
    reason: row.reason,
    relayResponse: row.relayResponse,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    sentAt: row.sentAt,
  };
}
