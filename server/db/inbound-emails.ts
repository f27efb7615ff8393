/** Email replies received, one row per Message-ID per conversation. */
import type { IdGenerator } from '../app/ids.ts';
import type { InboundEmailRecord, InboundEmailStore, NewInboundEmail } from '../app/inbound-email-ports.ts';
import type { InboundEmailStatus } from '../contract/inbound-email.ts';
import { isUniqueViolation } from './errors.ts';
import type { InboundEmail, PrismaClient } from './generated/sqlite/client.ts';

const withoutRaw = { raw: false } as const;

export class PrismaInboundEmailStore implements InboundEmailStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async record(email: NewInboundEmail) {
    const { raw, ...fields } = email;
    try {
      const row = await this.prisma.inboundEmail.create({ data: { id: this.newId(), ...fields, raw: raw && Buffer.from(raw) }, omit: withoutRaw });
      return { record: toRecord(row), created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const row = await this.prisma.inboundEmail.findUniqueOrThrow({
        where: { conversationId_messageId: { conversationId: email.conversationId, messageId: email.messageId } },
        omit: withoutRaw,
      });
      return { record: toRecord(row), created: false };
    }
  }

  async findById(id: string) {
    const row = await this.prisma.inboundEmail.findUnique({ where: { id }, omit: withoutRaw });
    return row && toRecord(row);
  }

  async raw(id: string) {
    const row = await this.prisma.inboundEmail.findUnique({ where: { id }, select: { raw: true } });
    return row?.raw ? Buffer.from(row.raw) : null;
  }

  async held(conversationId: string) {
    const rows = await this.prisma.inboundEmail.findMany({ where: { conversationId, status: 'held' }, orderBy: { createdAt: 'asc' }, omit: withoutRaw });
    return rows.map(toRecord);
  }

  async decide(id: string, status: Exclude<InboundEmailStatus, 'held'>, by: string, at: Date) {
    const { count } = await this.prisma.inboundEmail.updateMany({ where: { id, status: 'held' }, data: { status, decidedBy: by, decidedAt: at, ...(status === 'discarded' && { raw: null }) } });
    return count === 1;
  }

  async setResult(id: string, messageId: string) {
    await this.prisma.inboundEmail.updateMany({ where: { id }, data: { resultMessageId: messageId, raw: null } });
  }
}

function toRecord(row: Omit<InboundEmail, 'raw'>): InboundEmailRecord {
  return { ...row, status: row.status as InboundEmailStatus };
}
