/**
 * Conversations and their messages. Every state change is a guarded update (`where status = ...`)
 * committed together with the system message that records it, so two writers can never both win.
 */
import type { ConversationDTO, ConversationSummaryDTO, HistoryPage, SystemEvent } from '../contract/dto.ts';
import type {
  AppendResult,
  ConversationListQuery,
  ConversationPage,
  ConversationStore,
  Guarded,
  HistoryQuery,
  NewMessage,
  OpenConversation,
  SendGuard,
  StartResult,
  UpdatedPosition,
} from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { Coalescer, oneTransactionOrEach, readByKey } from '../app/coalescer.ts';
import { withAssignee, toConversationDTO, toVisitorSummary, visitorSummarySelect } from './mappers.ts';
import { GroupCommit, type BatchObserver, type WriteBatch } from './group-commit.ts';
import { isUniqueViolation } from './errors.ts';
import { messageDTOs, type AttachmentUrl } from './message-dtos.ts';
import { writeMessages } from './prisma-appends.ts';
import { systemMessage, type AssignBatch, type Assignment, type StartBatch, type StartInput } from './conversation-batches.ts';
import type { SummariesRead } from './pg-summaries.ts';
import { prismaOpeningReads, type OpeningReads } from './opening-reads.ts';
import { textMatch } from './text-match.ts';

type Tx = Prisma.TransactionClient;

export interface ConversationStoreOptions {
  provider: 'sqlite' | 'postgresql';
  /** A link clients can fetch an attachment from (signed, expiring). */
  attachmentUrl: AttachmentUrl;
  /** Writes the group commit's batches of sends. */
  sends: WriteBatch;
  /** Writes batches of new conversations. */
  starts: StartBatch;
  /** Writes a routing decision's assignments. */
  assigns: AssignBatch;
  /** Reads summaries by id (announcements); Prisma's own read where absent. */
  summariesById?: SummariesRead;
  /** Reads a first message waits for; Prisma's own where absent. */
  openings?: OpeningReads;
  /** Told the size and duration of every batch written (metrics). */
  onBatch?: BatchObserver;
}

export class PrismaConversationStore implements ConversationStore {
  private readonly groupCommit: GroupCommit;
  /** What a first message waits for (findOrStart). */
  private readonly openings: OpeningReads;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
    private readonly options: ConversationStoreOptions,
  ) {
    this.groupCommit = new GroupCommit(options.sends, { onBatch: options.onBatch });
    this.openings = options.openings ?? prismaOpeningReads(prisma, options.attachmentUrl);
  }

  private readonly starts = new Coalescer(oneTransactionOrEach((inputs: StartInput[]) => this.startTogether(inputs), (input) => this.startOne(input)));
  private readonly byId = new Coalescer(
    readByKey(async (ids) => (await this.prisma.conversation.findMany({ where: { id: { in: ids } }, include: withAssignee })).map(toConversationDTO), (c) => c.id),
  );
  private readonly openByVisitor = new Coalescer(readByKey((visitorIds) => this.openings.openByVisitor(visitorIds), (c) => c.visitorId));
  private readonly retries = new Coalescer(
    readByKey(
      (keys) => this.openings.visitorMessagesByClientId(keys.map((key) => key.split('\u0000') as [string, string])),
      (r) => retryKey(r.conversation.visitorId, r.message.clientId!),
    ),
  );
  private readonly summariesById = new Coalescer(
    readByKey((ids) => (this.options.summariesById ? this.options.summariesById(ids) : this.summaries({ id: { in: ids } }, [], ids.length)), (c) => c.id),
  );

  /** Conversations started in the same round of I/O are written in one transaction (see coalescer.ts). */
  start(input: StartInput): Promise<StartResult> {
    return this.starts.add(input);
  }

  private startTogether(inputs: StartInput[]): Promise<StartResult[]> {
    return this.options.starts(inputs);
  }

  private async startOne(input: StartInput): Promise<StartResult> {
    try {
      const [result] = await this.startTogether([input]);
      return result!;
    } catch (error) {
      // A retry of the same first message committed first: answer with what it stored.
      const clientId = input.first.clientId;
      const stored = isUniqueViolation(error) && clientId ? await this.findVisitorMessageByClientId(input.visitorId, clientId) : null;
      if (stored) return { ...stored, created: false };
      throw error;
    }
  }

  /** Reads by id made in the same round of I/O share one query (a burst's announcements, say). */
  findById(id: string): Promise<ConversationDTO | null> {
    return this.byId.add(id);
  }

  summary(id: string): Promise<ConversationSummaryDTO | null> {
    return this.summariesById.add(id);
  }

  /** Visitors asking together (a burst of first messages) share one query of each kind. */
  async findRetryOrOpen(visitorId: string, clientId: string, open: boolean): Promise<{ retry: AppendResult } | { open: ConversationDTO } | null> {
    // Both reads at once: one round of batches to wait for instead of two, at the price of a read a retry (rare) did not need.
    const [retry, conversation] = await Promise.all([this.findVisitorMessageByClientId(visitorId, clientId), open ? this.openByVisitor.add(visitorId) : null]);
    if (retry) return { retry };
    return conversation ? { open: conversation } : null;
  }

  /** A visitor's message by clientId (a retry); asked together, one query answers all. */
  findVisitorMessageByClientId(visitorId: string, clientId: string): Promise<AppendResult | null> {
    return this.retries.add(retryKey(visitorId, clientId));
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

  async list(query: ConversationListQuery): Promise<ConversationSummaryDTO[]> {
    // Queues read oldest first; anything that includes history reads newest first.
    const orderBy: Prisma.ConversationOrderByWithRelationInput[] = query.statuses.includes('resolved')
      ? [{ updatedAt: 'desc' }, { id: 'asc' }]
      : [{ queuedAt: 'asc' }, { id: 'asc' }];
    return this.summaries(await this.listWhere(query), orderBy, query.limit);
  }

  async pageByUpdate(query: ConversationListQuery, from: UpdatedPosition | undefined): Promise<ConversationPage> {
    const where = await this.listWhere(query);
    if (from) {
      const after: Prisma.ConversationWhereInput = from.id === undefined
        ? { updatedAt: { gte: from.updatedAt } }
        : { OR: [{ updatedAt: { gt: from.updatedAt } }, { updatedAt: from.updatedAt, id: { gt: from.id } }] };
      where.AND = [...((where.AND as Prisma.ConversationWhereInput[] | undefined) ?? []), after];
    }
    const orderBy: Prisma.ConversationOrderByWithRelationInput[] = [{ updatedAt: 'asc' }, { id: 'asc' }];
    // One extra row tells whether there is a next page.
    const keys = await this.prisma.conversation.findMany({ where, orderBy, take: query.limit + 1, select: { id: true, updatedAt: true } });
    const page = keys.slice(0, query.limit);
    const items = await this.summaries({ id: { in: page.map((k) => k.id) } }, orderBy, page.length);
    return { items, last: keys.length > query.limit ? page.at(-1)! : null };
  }

  private async listWhere(query: ConversationListQuery): Promise<Prisma.ConversationWhereInput> {
    const where: Prisma.ConversationWhereInput = { status: { in: query.statuses } };
    const and: Prisma.ConversationWhereInput[] = [];
    if (query.heldIn) {
      const held: Prisma.ConversationWhereInput = { siteId: { in: query.heldIn.siteIds }, ...heldBy(query.heldIn.agentId) };
      and.push({ OR: [query.siteIds === 'all' ? {} : { siteId: { in: query.siteIds } }, held] });
    } else if (query.siteIds !== 'all') where.siteId = { in: query.siteIds };
    if (query.assigneeId) where.assigneeId = query.assigneeId;
    if (query.visitorId) where.visitorId = query.visitorId;
    if (query.label) where.labels = { some: { label: query.label } };
    if (query.text) and.push(await textMatch(this.prisma, this.options.provider, query.text));
    if (and.length > 0) where.AND = and;
    return where;
  }

  async heldBy(conversationId: string, agentId: string): Promise<boolean> {
    return (await this.prisma.conversation.count({ where: { id: conversationId, ...heldBy(agentId) } })) > 0;
  }

  async openHeldBy(agentId: string): Promise<string[]> {
    const rows = await this.prisma.conversation.findMany({
      where: { status: { in: ['queued', 'active'] }, ...heldBy(agentId) },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  async listOpen(): Promise<OpenConversation[]> {
    return this.prisma.conversation.findMany({
      where: { status: { in: ['queued', 'active'] } },
      select: { id: true, siteId: true, visitorId: true, queuedAt: true, assigneeId: true, assignedAt: true },
    });
  }

  append(conversationId: string, message: NewMessage, guard: SendGuard): Guarded<AppendResult> {
    return this.groupCommit.append(conversationId, message, guard);
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
    return { messages: await messageDTOs(this.prisma, page, this.options.attachmentUrl), hasMore };
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

  /**
   * Several assignments in one transaction (one commit, one fsync on SQLite), each under the same guard as
   * assign(): an entry whose guard refuses is null and the others still commit. On PostgreSQL one raw statement
   * (pg-assignments.ts), on SQLite Prisma's path (prismaAssignments in conversation-batches.ts).
   */
  assignMany(assignments: Assignment[], at: Date): Promise<(AppendResult | null)[]> {
    return this.options.assigns(assignments, at);
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

  reopen(id: string, agentId: string, at: Date, event: SystemEvent): Guarded<AppendResult> {
    return this.guarded(
      id,
      { status: 'resolved' },
      { status: 'active', assigneeId: agentId, assignedAt: at, resolvedAt: null, rating: null, ratingComment: null },
      event,
    );
  }

  requeueResolved(id: string, at: Date, event: SystemEvent): Guarded<AppendResult> {
    return this.guarded(
      id,
      { status: 'resolved' },
      { status: 'queued', queuedAt: at, assigneeId: null, assignedAt: null, resolvedAt: null, rating: null, ratingComment: null },
      event,
    );
  }

  async markRead(id: string, by: 'visitor' | 'agent', seq: number) {
    const field = by === 'visitor' ? 'visitorReadSeq' : 'agentReadSeq';
    const { count } = await this.prisma.conversation.updateMany({
      where: { id, [field]: { lt: seq }, lastSeq: { gte: seq } },
      data: { [field]: seq },
    });
    return count === 1 ? this.findById(id) : null;
  }

  async rate(id: string, rating: number, comment: string | null) {
    const { count } = await this.prisma.conversation.updateMany({
      where: { id, status: 'resolved' },
      data: { rating, ratingComment: comment },
    });
    return count === 1 ? this.findById(id) : null;
  }

  async setLabels(id: string, labels: string[]) {
    await this.prisma.$transaction([
      this.prisma.conversationLabel.deleteMany({ where: { conversationId: id } }),
      this.prisma.conversationLabel.createMany({ data: labels.map((label) => ({ conversationId: id, label })) }),
      this.prisma.conversation.update({ where: { id }, data: { updatedAt: new Date() } }),
    ]);
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
      return this.appendIn(tx, id, systemMessage(event));
    });
  }

  private async appendIn(tx: Tx, conversationId: string, message: NewMessage): Promise<AppendResult> {
    const [result] = await writeMessages(tx, [{ conversationId, message, guard: {} }], this.newId, this.options.attachmentUrl);
    return result!;
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
        visitor: { select: visitorSummarySelect },
        labels: { select: { label: true }, orderBy: { label: 'asc' } },
        // The preview shows what people said, not system lines like "assigned".
        messages: { where: { authorKind: { in: ['visitor', 'agent'] } }, orderBy: { seq: 'desc' }, take: 1 },
      },
    });
    const lastMessages = await messageDTOs(this.prisma, rows.flatMap((row) => row.messages), this.options.attachmentUrl);
    const byConversation = new Map(lastMessages.map((m) => [m.conversationId, m]));
    return rows.map((row) => ({
      ...toConversationDTO(row),
      visitor: toVisitorSummary(row.visitor),
      lastMessage: byConversation.get(row.id) ?? null,
      labels: row.labels.map((l) => l.label),
    }));
  }
}

/**
 * Conversations the agent holds or held. Every assignment, transfer, requeue and resolution writes a system line
 * whose author is the agent it concerns, so the messages an agent authored tell which conversations they held.
 */
function heldBy(agentId: string): Prisma.ConversationWhereInput {
  return { OR: [{ assigneeId: agentId }, { messages: { some: { authorId: agentId } } }] };
}

const retryKey = (visitorId: string, clientId: string) => `${visitorId}\u0000${clientId}`;
