/**
 * Appending messages through Prisma: PostgreSQL's sends with attachments, and on either database the system
 * messages written with a conversation's change in the same transaction. Other sends go through raw statements:
 * PostgreSQL's in one statement per batch (pg-appends.ts), SQLite's on its writer thread (sqlite-batches.ts).
 */
import type { AppendResult, NewMessage, SendGuard } from '../app/ports.ts';
import { AppError } from '../app/errors.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Message, Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { oneByOneOnFailure, type Append, type WriteBatch } from './group-commit.ts';
import { assigneeSelect, toConversationDTO, type ConversationRow } from './mappers.ts';
import { messageDTOs, type AttachmentUrl } from './message-dtos.ts';

type Tx = Prisma.TransactionClient;

const dedupeKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

/** The conditions of `guard` as a Prisma filter on Conversation. */
function guardWhere(id: string, guard: SendGuard): Prisma.ConversationWhereInput {
  return {
    id,
    ...(guard.visitorId !== undefined && { visitorId: guard.visitorId }),
    ...(guard.siteIds !== undefined && guard.siteIds !== 'all' && { siteId: { in: guard.siteIds } }),
    ...(guard.open && { status: { not: 'resolved' } }),
    ...(guard.assigneeId !== undefined && { assigneeId: guard.assigneeId }),
  };
}

/**
 * Writes `appends` in order inside `tx`. A clientId already stored (or repeated within the batch) returns the
 * stored message instead of a second one. Sequence numbers are consecutive per conversation.
 */
export async function writeMessages(tx: Tx, appends: Append[], newId: IdGenerator, attachmentUrl: AttachmentUrl): Promise<(AppendResult | null)[]> {
  const withClientId = appends.filter((a) => a.message.clientId !== null);
  const stored = withClientId.length === 0 ? [] : await tx.message.findMany({
    where: { OR: withClientId.map((a) => ({ conversationId: a.conversationId, clientId: a.message.clientId })) },
  });
  const known = new Map<string, Message>(stored.map((m) => [dedupeKey(m.conversationId, m.clientId!), m]));

  const include = { assignee: assigneeSelect } as const;
  const createdAt = new Date();
  const written: ({ row: Message; created: boolean; conversation: ConversationRow } | null)[] = [];
  const fresh: { row: Message; message: NewMessage }[] = [];
  for (const a of appends) {
    const where = guardWhere(a.conversationId, a.guard);
    const key = a.message.clientId === null ? null : dedupeKey(a.conversationId, a.message.clientId);
    const existing = key === null ? undefined : known.get(key);
    if (existing) {
      const conversation = await tx.conversation.findFirst({ where, include });
      written.push(conversation && { row: existing, created: false, conversation });
      continue;
    }
    // Incrementing lastSeq takes the row lock, so concurrent writers get consecutive numbers.
    const { count } = await tx.conversation.updateMany({ where, data: { lastSeq: { increment: 1 } } });
    if (count === 0) {
      written.push(null);
      continue;
    }
    const conversation = await tx.conversation.findUniqueOrThrow({ where: { id: a.conversationId }, include });
    const row = messageRow(newId(), a.conversationId, conversation.lastSeq, a.message, createdAt);
    if (key !== null) known.set(key, row);
    fresh.push({ row, message: a.message });
    written.push({ row, created: true, conversation });
  }
  if (fresh.length > 0) await tx.message.createMany({ data: fresh.map((f) => f.row) });
  for (const f of fresh) await linkAttachments(tx, f.row, f.message);

  const dtos = await messageDTOs(tx, written.flatMap((w) => (w ? [w.row] : [])), attachmentUrl);
  let next = 0;
  return written.map((w) => w && { message: dtos[next++]!, conversation: toConversationDTO(w.conversation), created: w.created });
}

export function messageRow(id: string, conversationId: string, seq: number, m: NewMessage, createdAt: Date): Message {
  return { id, conversationId, seq, authorKind: m.authorKind, authorId: m.authorId, body: m.system ? JSON.stringify(m.system) : m.body, clientId: m.clientId, createdAt };
}

/** Only unsent files of the same uploader qualify; anything else aborts the send. */
export async function linkAttachments(tx: Tx, row: Message, message: NewMessage): Promise<void> {
  const ids = [...new Set(message.attachmentIds ?? [])];
  if (ids.length === 0) return;
  const { count } = await tx.attachment.updateMany({
    where: { id: { in: ids }, uploaderId: message.authorId ?? '', messageId: null },
    data: { messageId: row.id, conversationId: row.conversationId },
  });
  if (count !== ids.length) throw new AppError('BAD_REQUEST', 'Unknown or already sent attachment');
}

/**
 * Batches through Prisma, each in one transaction; a batch that fails is retried one append at a time (say, for
 * a foreign attachment, which aborts a PostgreSQL transaction).
 */
export function prismaBatches(prisma: PrismaClient, newId: IdGenerator, attachmentUrl: AttachmentUrl): WriteBatch {
  return oneByOneOnFailure((appends) => prisma.$transaction((tx) => writeMessages(tx, appends, newId, attachmentUrl)));
}
