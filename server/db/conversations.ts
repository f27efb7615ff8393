/**
 * Conversations and their messages. Every state change is a guarded update (`where status = ...`)
 * committed together with the system message that records it, so two writers can never both win.
 */
import type { ConversationSummaryDTO, HistoryPage, MessageDTO, SystemEvent } from '../contract/dto.ts';
import type {
  AppendResult,
  ConversationListQuery,
  ConversationStore,
  Guarded,
  HistoryQuery,
  NewMessage,
  OpenConversation,
} from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Message, Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { assigneeSelect, toConversationDTO, toMessageDTO, type ConversationRow } from './mappers.ts';

type Tx = Prisma.TransactionClient;

const withAssignee = { assignee: assigneeSelect } as const;

export class PrismaConversationStore implements ConversationStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async start(input: { siteId: string; visitorId: string; queuedAt: Date; first: NewMessage }): Promise<AppendResult> {
    return this.prisma.$transaction(async (tx) => {
      const conversation = await tx.conversation.create({
        data: {
          id: this.newId(),
          siteId: input.siteId,
          visitorId: input.visitorId,
          status: 'queued',
          queuedAt: input.queuedAt,
          lastSeq: 1,
        },
        include: withAssignee,
      });
      const message = await tx.message.create({ data: this.messageData(conversation.id, 1, input.first) });
      return { conversation: toConversationDTO(conversation), message: await this.dto(tx, message), created: true };
    });
  }

  async findById(id: string) {
    const row = await this.prisma.conversation.findUnique({ where: { id }, include: withAssignee });
    return row ? toConversationDTO(row) : null;
  }

  async summary(id: string): Promise<ConversationSummaryDTO | null> {
    const [summary] = await this.summaries({ id });
    return summary ?? null;
  }

  async findOpenForVisitor(visitorId: string) {
    const row = await this.prisma.conversation.findFirst({
      where: { visitorId, status: { in: ['queued', 'active'] } },
      orderBy: { createdAt: 'desc' },
      include: withAssignee,
    });
    return row ? toConversationDTO(row) : null;
  }

  async findVisitorMessageByClientId(visitorId: string, clientId: string): Promise<AppendResult | null> {
    const row = await this.prisma.message.findFirst({
      where: { clientId, authorKind: 'visitor', conversation: { visitorId } },
      include: { conversation: { include: withAssignee } },
    });
    if (!row) return null;
    return { message: await this.dto(this.prisma, row), conversation: toConversationDTO(row.conversation), created: false };
  }

  async listForVisitor(visitorId: string) {
    const rows = await this.prisma.conversation.findMany({
      where: { visitorId },
      orderBy: { createdAt: 'desc' },
      take: 50,
      include: withAssignee,
    });
    return rows.map(toConversationDTO);
  }

  list(query: ConversationListQuery): Promise<ConversationSummaryDTO[]> {
    const where: Prisma.ConversationWhereInput = { status: { in: query.statuses } };
    if (query.siteIds !== 'all') where.siteId = { in: query.siteIds };
    if (query.assigneeId) where.assigneeId = query.assigneeId;
    const orderBy: Prisma.ConversationOrderByWithRelationInput[] = query.statuses.includes('resolved')
      ? [{ resolvedAt: 'desc' }, { id: 'asc' }]
      : [{ queuedAt: 'asc' }, { id: 'asc' }];
    return this.summaries(where, orderBy, query.limit);
  }

  async listOpen(): Promise<OpenConversation[]> {
    return this.prisma.conversation.findMany({
      where: { status: { in: ['queued', 'active'] } },
      select: { id: true, siteId: true, visitorId: true, queuedAt: true, assigneeId: true, assignedAt: true },
    });
  }

  append(conversationId: string, message: NewMessage): Promise<AppendResult> {
    return this.prisma.$transaction((tx) => this.appendIn(tx, conversationId, message));
  }

  async history(conversationId: string, query: HistoryQuery): Promise<HistoryPage> {
    const where: Prisma.MessageWhereInput = { conversationId };
    if (!query.includeNotes) where.authorKind = { not: 'note' };
    const newestFirst = query.beforeSeq !== undefined || query.afterSeq === undefined;
    if (query.afterSeq !== undefined) where.seq = { gt: query.afterSeq };
    if (query.beforeSeq !== undefined) where.seq = { ...(where.seq as object), lt: query.beforeSeq };
    // One extra row tells whether there is more in the direction asked.
    const rows = await this.prisma.message.findMany({
      where,
      orderBy: { seq: newestFirst ? 'desc' : 'asc' },
      take: query.limit + 1,
    });
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    if (newestFirst) page.reverse();
    return { messages: await this.dtos(this.prisma, page), hasMore };
  }

  async markFirstResponse(conversationId: string, at: Date): Promise<void> {
    await this.prisma.conversation.updateMany({
      where: { id: conversationId, firstResponseAt: null },
      data: { firstResponseAt: at },
    });
  }

  assign(id: string, agentId: string, at: Date, event: SystemEvent): Guarded<AppendResult> {
    return this.guarded(id, { status: 'queued' }, { status: 'active', assigneeId: agentId, assignedAt: at }, event);
  }

  transfer(id: string, fromAgentId: string, toAgentId: string, event: SystemEvent): Guarded<AppendResult> {
    return this.guarded(id, { status: 'active', assigneeId: fromAgentId }, { assigneeId: toAgentId }, event);
  }

  requeue(id: string, fromAgentId: string, event: SystemEvent): Guarded<AppendResult> {
    // queuedAt is kept, so a requeued conversation goes back near the front of the queue.
    return this.guarded(
      id,
      { status: 'active', assigneeId: fromAgentId },
      { status: 'queued', assigneeId: null, assignedAt: null },
      event,
    );
  }

  resolve(id: string, at: Date, event: SystemEvent): Guarded<AppendResult> {
    return this.guarded(id, { status: { in: ['queued', 'active'] } }, { status: 'resolved', resolvedAt: at }, event);
  }

  private guarded(
    id: string,
    guard: Prisma.ConversationWhereInput,
    data: Prisma.ConversationUncheckedUpdateManyInput,
    event: SystemEvent,
  ): Guarded<AppendResult> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.conversation.updateMany({ where: { id, ...guard }, data });
      if (count !== 1) return null;
      const system: NewMessage = { authorKind: 'system', authorId: null, body: JSON.stringify(event), clientId: null };
      return this.appendIn(tx, id, system);
    });
  }

  private async appendIn(tx: Tx, conversationId: string, message: NewMessage): Promise<AppendResult> {
    if (message.clientId !== null) {
      const existing = await tx.message.findUnique({
        where: { conversationId_clientId: { conversationId, clientId: message.clientId } },
      });
      if (existing) {
        const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: withAssignee });
        return { message: await this.dto(tx, existing), conversation: toConversationDTO(conversation), created: false };
      }
    }
    // Incrementing lastSeq takes the row lock, so concurrent appends get consecutive numbers.
    const conversation = await tx.conversation.update({
      where: { id: conversationId },
      data: { lastSeq: { increment: 1 } },
      include: withAssignee,
    });
    const row = await tx.message.create({ data: this.messageData(conversationId, conversation.lastSeq, message) });
    return { message: await this.dto(tx, row), conversation: toConversationDTO(conversation), created: true };
  }

  private messageData(conversationId: string, seq: number, message: NewMessage) {
    return {
      id: this.newId(),
      conversationId,
      seq,
      authorKind: message.authorKind,
      authorId: message.authorId,
      body: message.system ? JSON.stringify(message.system) : message.body,
      clientId: message.clientId,
    };
  }

  private async summaries(
    where: Prisma.ConversationWhereInput,
    orderBy: Prisma.ConversationOrderByWithRelationInput[] = [],
    take = 1,
  ): Promise<ConversationSummaryDTO[]> {
    const rows = await this.prisma.conversation.findMany({
      where,
      orderBy,
      take,
      include: {
        ...withAssignee,
        visitor: { select: { id: true, name: true, email: true, externalId: true } },
        // The preview shows what people said, not system lines like "assigned".
        messages: { where: { authorKind: { in: ['visitor', 'agent'] } }, orderBy: { seq: 'desc' }, take: 1 },
      },
    });
    const lastMessages = await this.dtos(
      this.prisma,
      rows.flatMap((row) => row.messages),
    );
    const byConversation = new Map(lastMessages.map((m) => [m.conversationId, m]));
    return rows.map((row: ConversationRow & { visitor: { id: string; name: string | null; email: string | null; externalId: string | null } }) => ({
      ...toConversationDTO(row),
      visitor: { id: row.visitor.id, name: row.visitor.name, email: row.visitor.email, verified: row.visitor.externalId !== null },
      lastMessage: byConversation.get(row.id) ?? null,
    }));
  }

  private async dto(tx: Tx | PrismaClient, row: Message): Promise<MessageDTO> {
    const [dto] = await this.dtos(tx, [row]);
    return dto!;
  }

  /** Resolves author display names with one query per author kind. */
  private async dtos(tx: Tx | PrismaClient, rows: Message[]): Promise<MessageDTO[]> {
    const ids = (kinds: string[]) => [
      ...new Set(rows.filter((r) => r.authorId && kinds.includes(r.authorKind)).map((r) => r.authorId!)),
    ];
    const agentIds = ids(['agent', 'note']);
    const visitorIds = ids(['visitor']);
    const names = new Map<string, string | null>();
    if (agentIds.length > 0) {
      for (const a of await tx.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } })) {
        names.set(a.id, a.name);
      }
    }
    if (visitorIds.length > 0) {
      for (const v of await tx.visitor.findMany({ where: { id: { in: visitorIds } }, select: { id: true, name: true } })) {
        names.set(v.id, v.name);
      }
    }
    return rows.map((row) => toMessageDTO(row, names));
  }
}
