/** The conversation and message rows reports and staffing are computed from (the computations are pure: app/). */
import type { ReportBotAnswer, ReportHandoff } from '../app/bot-report.ts';
import type { ReportConversation, ReportStore } from '../app/ports.ts';
import type { SystemEvent } from '../contract/dto.ts';
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

  async agentMessages(query: { from: Date; to: Date; siteId?: string }): Promise<{ authorId: string; createdAt: Date }[]> {
    const rows = await this.prisma.message.findMany({
      where: {
        authorKind: 'agent',
        authorId: { not: null },
        createdAt: { gte: query.from, lt: query.to },
        ...(query.siteId ? { conversation: { siteId: query.siteId } } : {}),
      },
      select: { authorId: true, createdAt: true },
    });
    return rows.map((r) => ({ authorId: r.authorId!, createdAt: r.createdAt }));
  }

  async handoffs(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }): Promise<ReportHandoff[]> {
    const rows = await this.prisma.message.findMany({
      where: {
        authorKind: 'system',
        body: { contains: '"handed_off"' },
        conversation: { queuedAt: { gte: query.queuedFrom, lt: query.queuedTo }, ...(query.siteId ? { siteId: query.siteId } : {}) },
      },
      select: { conversationId: true, body: true },
    });
    return rows.flatMap(({ conversationId, body }) => {
      const event = JSON.parse(body) as SystemEvent;
      return event.type === 'handed_off' ? [{ conversationId, reason: event.reason }] : [];
    });
  }

  async botAnswers(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }): Promise<ReportBotAnswer[]> {
    // A turn comes after its conversation was queued; botReport keeps those of the window's conversations.
    const siteBots = query.siteId ? (await this.prisma.bot.findMany({ where: { siteId: query.siteId }, select: { id: true } })).map((b) => b.id) : null;
    return this.prisma.botTurn.findMany({
      where: { outcome: 'reply', createdAt: { gte: query.queuedFrom }, ...(siteBots ? { botId: { in: siteBots } } : {}) },
      select: { conversationId: true, latencyMs: true, promptTokens: true, completionTokens: true },
    });
  }

  /**
   * Body sizes from a sample of the newest: Prisma has no portable byte-length aggregate for SQLite and
   * PostgreSQL, and reading every body of four weeks would cost far more than the average is worth.
   */
  async messageVolume(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }, sample: number): Promise<{ messages: number; sampleBodies: string[] }> {
    const where = {
      authorKind: { in: ['visitor' as const, 'agent' as const] },
      conversation: { queuedAt: { gte: query.queuedFrom, lt: query.queuedTo }, ...(query.siteId ? { siteId: query.siteId } : {}) },
    };
    const [messages, bodies] = await Promise.all([
      this.prisma.message.count({ where }),
      this.prisma.message.findMany({ where, select: { body: true }, orderBy: { createdAt: 'desc' }, take: sample }),
    ]);
    return { messages, sampleBodies: bodies.map((b) => b.body) };
  }
}
