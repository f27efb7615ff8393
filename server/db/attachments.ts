import type { AttachmentStore, NewAttachment, SentAttachment, StoredAttachment } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Usage, UploadUsage } from '../domain/upload-quota.ts';
import type { Prisma, PrismaClient } from './generated/sqlite/client.ts';

export class PrismaAttachmentStore implements AttachmentStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(attachment: NewAttachment): Promise<StoredAttachment> {
    const row = await this.prisma.attachment.create({
      data: { id: this.newId(), ...attachment, data: Buffer.from(attachment.data), size: attachment.data.byteLength },
    });
    return { ...row, data: row.data };
  }

  async findById(id: string): Promise<StoredAttachment | null> {
    return this.prisma.attachment.findUnique({
      where: { id },
      select: { id: true, siteId: true, conversationId: true, messageId: true, fileName: true, contentType: true, size: true, data: true },
    });
  }

  async listSent(conversationId: string): Promise<SentAttachment[]> {
    const rows = await this.prisma.attachment.findMany({
      // Through the conversation's messages, which are indexed by conversation; the files by message.
      where: { message: { is: { conversationId } } },
      select: { id: true, siteId: true, conversationId: true, messageId: true, uploaderKind: true, uploaderId: true, fileName: true, contentType: true, size: true, createdAt: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((row) => ({ ...row, messageId: row.messageId!, uploaderKind: row.uploaderKind === 'visitor' ? 'visitor' : 'agent' }));
  }

  async visitorUsage(query: { address: string; addressSince: Date; siteId: string; siteSince: Date }): Promise<UploadUsage> {
    const [address, site, unsent] = await Promise.all([
      this.usage({ uploaderAddress: query.address, createdAt: { gte: query.addressSince } }),
      this.usage({ siteId: query.siteId, uploaderKind: 'visitor', createdAt: { gte: query.siteSince } }),
      this.usage({ uploaderKind: 'visitor', messageId: null }),
    ]);
    return { address, site, unsent };
  }

  async deleteUnsentBefore(cutoff: Date): Promise<number> {
    const { count } = await this.prisma.attachment.deleteMany({ where: { messageId: null, createdAt: { lt: cutoff } } });
    return count;
  }

  private async usage(where: Prisma.AttachmentWhereInput): Promise<Usage> {
    const { _sum, _min } = await this.prisma.attachment.aggregate({ where, _sum: { size: true }, _min: { createdAt: true } });
    return { bytes: _sum.size ?? 0, oldestAt: _min.createdAt?.getTime() ?? null };
  }
}
