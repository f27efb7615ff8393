/**
 * The conversation store's writes of many rows at once: conversations started together, and a routing decision's
 * assignments. Each runs inside the caller's transaction.
 */
import type { SystemEvent } from '../contract/dto.ts';
import type { AppendResult, ConversationStore, NewMessage, StartResult } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import { agentConcerned } from '../domain/system-events.ts';
import type { Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { withAssignee, toConversationDTO, toMessageDTO, toVisitorSummary, visitorSummarySelect } from './mappers.ts';
import { messageDTOs, type AttachmentUrl } from './message-dtos.ts';
import type { Provider } from './client.ts';
import { linkAttachments, messageRow, writeMessages } from './prisma-appends.ts';
import { insertRows } from './row-inserts.ts';
import { toSqliteDate } from './sqlite-append-rows.ts';

type Tx = Prisma.TransactionClient;
export type StartInput = Parameters<ConversationStore['start']>[0];
/** Writes conversations started together, all or none, answering each with its result in order. */
export type StartBatch = (inputs: StartInput[]) => Promise<StartResult[]>;
/** Writes a routing decision's assignments: each conversation still queued is assigned, any other answered null. */
export type AssignBatch = (assignments: Assignment[], at: Date) => Promise<(AppendResult | null)[]>;
export type Assignment = Parameters<ConversationStore['assignMany']>[0][number];

/** An assignment's guard refused inside the all-at-once transaction: undo it and assign one by one. */
class GuardRefused extends Error {}

/** A system line, authored by the agent it concerns (see heldBy in conversations.ts). */
export const systemMessage = (event: SystemEvent): NewMessage => ({ authorKind: 'system', authorId: agentConcerned(event), body: JSON.stringify(event), clientId: null });

const CONVERSATION_COLUMNS = {
  id: 'text',
  siteId: 'text',
  visitorId: 'text',
  status: '"ConversationStatus"',
  queuedAt: 'timestamp(3)',
  openingClientId: 'text',
  lastSeq: 'int',
  createdAt: 'timestamp(3)',
  updatedAt: 'timestamp(3)',
} as const;

const MESSAGE_COLUMNS = {
  id: 'text',
  conversationId: 'text',
  seq: 'int',
  authorKind: '"AuthorKind"',
  authorId: 'text',
  body: 'text',
  clientId: 'text',
  createdAt: 'timestamp(3)',
} as const;

/** Starts through Prisma, in one interactive transaction per batch: SQLite's path, and PostgreSQL's for files. */
export function prismaStarts(prisma: PrismaClient, provider: Provider, newId: IdGenerator, attachmentUrl: AttachmentUrl): StartBatch {
  return (inputs) => prisma.$transaction((tx) => startMany(tx, provider, inputs, newId, attachmentUrl));
}

/** Each new conversation is created with its first message as seq 1: nothing to guard, nothing to look up. */
async function startMany(tx: Tx, provider: Provider, inputs: StartInput[], newId: IdGenerator, attachmentUrl: AttachmentUrl): Promise<StartResult[]> {
  const ids = inputs.map(() => newId());
  const createdAt = new Date();
  const conversations = inputs.map((input, i) => ({
    id: ids[i]!,
    siteId: input.siteId,
    visitorId: input.visitorId,
    status: 'queued',
    queuedAt: input.queuedAt,
    openingClientId: input.first.clientId,
    lastSeq: 1,
    createdAt,
    updatedAt: createdAt,
  }));
  await insertRows(tx, provider, 'Conversation', CONVERSATION_COLUMNS, conversations);
  const rows = inputs.map((input, i) => messageRow(newId(), ids[i]!, 1, input.first, createdAt));
  await insertRows(tx, provider, 'Message', MESSAGE_COLUMNS, rows);
  for (const [i, row] of rows.entries()) await linkAttachments(tx, row, inputs[i]!.first);
  const stored = new Map((await tx.conversation.findMany({ where: { id: { in: ids } } })).map((c) => [c.id, toConversationDTO({ ...c, assignee: null })]));
  const visitorIds = [...new Set(inputs.map((input) => input.visitorId))];
  const visitors = new Map((await tx.visitor.findMany({ where: { id: { in: visitorIds } }, select: visitorSummarySelect })).map((v) => [v.id, toVisitorSummary(v)]));
  // Each first line is its visitor's, whose name was just read; only lines sent with files have attachments to read.
  const withFiles = await messageDTOs(tx, rows.filter((_, i) => (inputs[i]!.first.attachmentIds ?? []).length > 0), attachmentUrl);
  const filed = new Map(withFiles.map((m) => [m.id, m]));
  const messages = rows.map((row) => filed.get(row.id) ?? toMessageDTO(row, (row.authorId && visitors.get(row.authorId)?.name) ?? null, []));
  // Its summary needs no read of its own: a new conversation has no labels, and its first line is its last.
  return rows.map((row, i) => {
    const conversation = stored.get(row.conversationId)!;
    const summary = { ...conversation, visitor: visitors.get(conversation.visitorId)!, lastMessage: messages[i]!, labels: [] };
    return { message: messages[i]!, conversation, created: true, summary };
  });
}

/**
 * Assignments through Prisma: all in one statement and transaction, or, when a guard refused (a conversation no
 * longer queued), undone and written one by one. SQLite's path; PostgreSQL's is pg-assignments.ts.
 */
export function prismaAssignments(prisma: PrismaClient, provider: Provider, newId: IdGenerator, attachmentUrl: AttachmentUrl): AssignBatch {
  return async (assignments, at) => {
    try {
      return await prisma.$transaction((tx) => assignAllOrNone(tx, provider, assignments, at, newId, attachmentUrl));
    } catch (error) {
      if (!(error instanceof GuardRefused)) throw error;
      return prisma.$transaction((tx) => assignEach(tx, assignments, at, newId, attachmentUrl));
    }
  };
}

/** One statement for them all; throws GuardRefused (undoing everything) when any conversation is no longer queued. */
async function assignAllOrNone(tx: Tx, provider: Provider, assignments: Assignment[], at: Date, newId: IdGenerator, attachmentUrl: AttachmentUrl): Promise<AppendResult[]> {
  const count = await tx.$executeRawUnsafe(...assignStatement(provider, assignments, at));
  if (count !== assignments.length) throw new GuardRefused();
  const rows = new Map((await tx.conversation.findMany({ where: { id: { in: assignments.map((a) => a.id) } }, include: withAssignee })).map((r) => [r.id, r]));
  const createdAt = new Date();
  const lines = assignments.map((a) => messageRow(newId(), a.id, rows.get(a.id)!.lastSeq, systemMessage(a.event), createdAt));
  await insertRows(tx, provider, 'Message', MESSAGE_COLUMNS, lines);
  const messages = await messageDTOs(tx, lines, attachmentUrl);
  return assignments.map((a, i) => ({ message: messages[i]!, conversation: toConversationDTO(rows.get(a.id)!), created: true }));
}

/**
 * Each row's assignee by its id, in one guarded UPDATE taking each line's seq: Prisma's updateMany sets one value
 * for every row, which took one statement per agent (150 when a shift comes online at once).
 */
function assignStatement(provider: Provider, assignments: Assignment[], at: Date): [string, ...unknown[]] {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return provider === 'postgresql' ? `$${values.length}` : '?';
  };
  const cases = assignments.map((a) => `WHEN ${param(a.id)} THEN ${param(a.agentId)}`).join(' ');
  const assignedAt = param(provider === 'postgresql' ? at : toSqliteDate(at));
  const ids = assignments.map((a) => param(a.id)).join(', ');
  const sql = `UPDATE "Conversation" SET "status" = 'active', "assigneeId" = CASE "id" ${cases} END, "assignedAt" = ${assignedAt}, "lastSeq" = "lastSeq" + 1
    WHERE "id" IN (${ids}) AND "status" = 'queued'`;
  return [sql, ...values];
}

/** One guarded update each: an assignment whose guard refuses is null, the others are written. */
async function assignEach(tx: Tx, assignments: Assignment[], at: Date, newId: IdGenerator, attachmentUrl: AttachmentUrl): Promise<(AppendResult | null)[]> {
  const won: boolean[] = [];
  for (const a of assignments) {
    const { count } = await tx.conversation.updateMany({
      where: { id: a.id, status: 'queued' },
      data: { status: 'active', assigneeId: a.agentId, assignedAt: at },
    });
    won.push(count === 1);
  }
  const appends = assignments.filter((_, i) => won[i]).map((a) => ({ conversationId: a.id, message: systemMessage(a.event), guard: {} }));
  const written = appends.length === 0 ? [] : await writeMessages(tx, appends, newId, attachmentUrl);
  let next = 0;
  return won.map((ok) => (ok ? (written[next++] ?? null) : null));
}
