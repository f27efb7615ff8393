import type { VisitorPatch, VisitorStore, VisitorWrite } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import { AppError } from '../app/errors.ts';
import { MAX_PAGE_VIEWS_KEPT } from '../contract/events.ts';
import { mergeAttributes, visitorChange, type AttributePatch } from '../domain/visitor-profile.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { toVisitorDTO } from './mappers.ts';

/** How often a profile write re-reads after losing the race to a concurrent one before it answers "try again". */
const GUARDED_WRITE_ATTEMPTS = 5;

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

  /**
   * Read, merge, then write only if nobody wrote in between (`profileVersion` unchanged), else again: so the
   * caps hold for the stored total on SQLite and PostgreSQL alike, without locks held across the merge.
   */
  async update(id: string, patch: VisitorPatch): Promise<VisitorWrite> {
    for (let attempt = 0; attempt < GUARDED_WRITE_ATTEMPTS; attempt++) {
      const current = await this.prisma.visitor.findUniqueOrThrow({ where: { id } });
      const before = toVisitorDTO(current);
      let changedAttributes: AttributePatch = {};
      let attributes: Record<string, unknown> | undefined;
      if (patch.attributes) {
        const merged = mergeAttributes(before.attributes, patch.attributes);
        if (!merged.ok) throw new AppError('LIMIT_EXCEEDED', merged.reason);
        ({ attributes, changed: changedAttributes } = merged);
      }
      const { attributes: _attributes, context, ...fields } = patch;
      try {
        const row = await this.prisma.visitor.update({
          where: { id, profileVersion: current.profileVersion },
          data: { ...fields, ...context, attributes: attributes as object | undefined, lastSeenAt: new Date(), profileVersion: { increment: 1 } },
        });
        const visitor = toVisitorDTO(row);
        return { visitor, change: visitorChange(before, visitor, changedAttributes) };
      } catch (error) {
        if (!isRecordNotFound(error)) throw error;
      }
    }
    throw new AppError('UNAVAILABLE', 'The visitor is being updated by another request; try again');
  }

  async moveConversations(fromVisitorId: string, toVisitorId: string) {
    await this.prisma.conversation.updateMany({ where: { visitorId: fromVisitorId }, data: { visitorId: toVisitorId } });
  }

  async addPageView(visitorId: string, url: string, title: string | null) {
    await this.prisma.$transaction(async (tx) => {
      await tx.pageView.create({ data: { id: this.newId(), visitorId, url, title } });
      const older = await tx.pageView.findMany({ where: { visitorId }, orderBy: newestFirst, skip: MAX_PAGE_VIEWS_KEPT, select: { id: true } });
      if (older.length > 0) await tx.pageView.deleteMany({ where: { id: { in: older.map((view) => view.id) } } });
    });
  }

  async pageViews(visitorId: string, limit: number) {
    const rows = await this.prisma.pageView.findMany({ where: { visitorId }, orderBy: newestFirst, take: limit });
    return rows.map((r) => ({ url: r.url, title: r.title, at: r.createdAt.toISOString() }));
  }
}

/** Ids are time-ordered (UUID v7), so they break ties between views recorded in the same millisecond. */
const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];

/** The guarded update found no row with the version read: another write came first. */
function isRecordNotFound(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'P2025';
}
