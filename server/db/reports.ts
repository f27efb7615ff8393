/** The conversation timestamps reports are computed from (the computation itself is pure: app/reports.ts). */
import type { ReportConversation, ReportStore } from '../app/ports.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';

export class PrismaReportStore implements ReportStore {
  constructor(private readonly prisma: PrismaClient) {}

  async conversations(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }): Promise<ReportConversation[]> {
    return this.prisma.conversation.findMany({
      where: { queuedAt: { gte: query.queuedFrom, lt: query.queuedTo }, ...(query.siteId ? { siteId: query.siteId } : {}) },
      select: {
        id: true,
        siteId: true,
        status: true,
        assigneeId: true,
        queuedAt: true,
        assignedAt: true,
        firstResponseAt: true,
        resolvedAt: true,
        rating: true,
      },
      orderBy: { queuedAt: 'asc' },
    });
  }
}
