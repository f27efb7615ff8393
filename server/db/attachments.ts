import type { AttachmentStore, NewAttachment, StoredAttachment } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';

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
      select: { id: true, siteId: true, conversationId: true, fileName: true, contentType: true, size: true, data: true },
    });
  }

  countSince(uploaderId: string, since: Date): Promise<number> {
    return this.prisma.attachment.count({ where: { uploaderId, createdAt: { gte: since } } });
  }
}
