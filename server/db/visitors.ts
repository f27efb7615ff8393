import type { VisitorPatch, VisitorStore } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { toVisitorDTO } from './mappers.ts';

export class PrismaVisitorStore implements VisitorStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async create(siteId: string, externalId?: string) {
    return toVisitorDTO(await this.prisma.visitor.create({ data: { id: this.newId(), siteId, externalId, attributes: {} } }));
  }

  async findById(id: string) {
    const row = await this.prisma.visitor.findUnique({ where: { id } });
    return row ? toVisitorDTO(row) : null;
  }

  async findByExternalId(siteId: string, externalId: string) {
    const row = await this.prisma.visitor.findUnique({ where: { siteId_externalId: { siteId, externalId } } });
    return row ? toVisitorDTO(row) : null;
  }

  async touch(id: string) {
    await this.prisma.visitor.updateMany({ where: { id }, data: { lastSeenAt: new Date() } });
  }

  update(id: string, patch: VisitorPatch) {
    return this.prisma.$transaction(async (tx) => {
      const current = await tx.visitor.findUniqueOrThrow({ where: { id } });
      let attributes: Record<string, unknown> | undefined;
      if (patch.attributes) {
        attributes = { ...(current.attributes as Record<string, unknown>) };
        for (const [key, value] of Object.entries(patch.attributes)) {
          if (value === null) delete attributes[key];
          else attributes[key] = value;
        }
      }
      const row = await tx.visitor.update({
        where: { id },
        data: { name: patch.name, email: patch.email, attributes: attributes as object | undefined, ...patch.context, lastSeenAt: new Date() },
      });
      return toVisitorDTO(row);
    });
  }

  async setExternalId(id: string, externalId: string) {
    return toVisitorDTO(await this.prisma.visitor.update({ where: { id }, data: { externalId } }));
  }

  async moveConversations(fromVisitorId: string, toVisitorId: string) {
    await this.prisma.conversation.updateMany({ where: { visitorId: fromVisitorId }, data: { visitorId: toVisitorId } });
  }

  async addPageView(visitorId: string, url: string, title: string | null, keep: number) {
    await this.prisma.pageView.create({ data: { id: this.newId(), visitorId, url, title } });
    const older = await this.prisma.pageView.findMany({ where: { visitorId }, orderBy: { createdAt: 'desc' }, skip: keep, select: { id: true } });
    if (older.length > 0) await this.prisma.pageView.deleteMany({ where: { id: { in: older.map((v) => v.id) } } });
  }

  async pageViews(visitorId: string, limit: number) {
    const rows = await this.prisma.pageView.findMany({ where: { visitorId }, orderBy: { createdAt: 'desc' }, take: limit });
    return rows.map((r) => ({ url: r.url, title: r.title, at: r.createdAt.toISOString() }));
  }
}
