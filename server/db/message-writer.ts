/**
 * Appending messages, many at once. A burst of sends from many visitors becomes one transaction (one commit,
 * one fsync) instead of one transaction each: group commit. Each send is still acknowledged only after the
 * commit that holds it. The Prisma writer here serves PostgreSQL, and opening or changing a conversation on
 * either database; SQLite's sends go through sqlite-appends.ts.
 */
import type { AppendResult, NewMessage, SendGuard } from '../app/ports.ts';
import { AppError } from '../app/errors.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Message, Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { assigneeSelect, toConversationDTO, type ConversationRow } from './mappers.ts';
import { messageDTOs, type AttachmentUrl } from './message-dtos.ts';

type Tx = Prisma.TransactionClient;

export interface Append {
  conversationId: string;
  message: NewMessage;
  guard: SendGuard;
}

/** Null: the conversation does not exist or the guard refused. */
export type Outcome = PromiseSettledResult<AppendResult | null>;

/**
 * Writes `appends` in one transaction: one outcome each, in order; throws when the transaction itself failed.
 * A writer that can take the next batch before this one is committed (while it waits for the disk) says so by
 * calling `ready`; batches it is given are still committed one after another, in order.
 */
export type WriteBatch = (appends: Append[], ready: () => void) => Promise<Outcome[]>;

const dedupeKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

export const fulfilled = <T>(value: T): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value });
export const rejected = (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason });

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
    const m = a.message;
    const row: Message = {
      id: newId(),
      conversationId: a.conversationId,
      seq: conversation.lastSeq,
      authorKind: m.authorKind,
      authorId: m.authorId,
      body: m.system ? JSON.stringify(m.system) : m.body,
      clientId: m.clientId,
      createdAt,
    };
    if (key !== null) known.set(key, row);
    fresh.push({ row, message: m });
    written.push({ row, created: true, conversation });
  }
  if (fresh.length > 0) await tx.message.createMany({ data: fresh.map((f) => f.row) });
  for (const f of fresh) await linkAttachments(tx, f.row, f.message);

  const dtos = await messageDTOs(tx, written.flatMap((w) => (w ? [w.row] : [])), attachmentUrl);
  let next = 0;
  return written.map((w) => w && { message: dtos[next++]!, conversation: toConversationDTO(w.conversation), created: w.created });
}

/** Only unsent files of the same uploader qualify; anything else aborts the send. */
async function linkAttachments(tx: Tx, row: Message, message: NewMessage): Promise<void> {
  const ids = [...new Set(message.attachmentIds ?? [])];
  if (ids.length === 0) return;
  const { count } = await tx.attachment.updateMany({
    where: { id: { in: ids }, uploaderId: message.authorId ?? '', messageId: null },
    data: { messageId: row.id, conversationId: row.conversationId },
  });
  if (count !== ids.length) throw new AppError('BAD_REQUEST', 'Unknown or already sent attachment');
}

/**
 * Batches through Prisma. A batch that fails is retried one append at a time, so one bad send (say, a foreign
 * attachment, which aborts a PostgreSQL transaction) fails alone.
 */
export function prismaBatches(prisma: PrismaClient, newId: IdGenerator, attachmentUrl: AttachmentUrl): WriteBatch {
  const inOneTransaction = (appends: Append[]) => prisma.$transaction((tx) => writeMessages(tx, appends, newId, attachmentUrl));
  return async (appends) => {
    try {
      return (await inOneTransaction(appends)).map(fulfilled);
    } catch (error) {
      if (appends.length === 1) throw error;
      const outcomes: Outcome[] = [];
      for (const a of appends) outcomes.push(await inOneTransaction([a]).then(([result]) => fulfilled(result ?? null), rejected));
      return outcomes;
    }
  };
}

interface Waiting extends Append {
  resolve: (result: AppendResult | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Queues appends and writes them in batches. A batch starts on the next turn of the event loop, so every send
 * that arrived in the same round of I/O joins it; under light load it holds one message, so latency is that of a
 * single write. What arrives meanwhile is the next batch, handed over as soon as the writer is ready for it: when
 * the last batch is written, or earlier when the writer says so (SQLite's thread, while it commits). Senders are
 * answered after the writer has the next batch, so the database works while this thread answers them.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  /** No batch is scheduled, and the writer is ready for one. */
  private idle = true;

  constructor(
    private readonly write: WriteBatch,
    private readonly maxBatch = 200,
  ) {}

  append(conversationId: string, message: NewMessage, guard: SendGuard): Promise<AppendResult | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ conversationId, message, guard, resolve, reject });
      if (!this.idle) return;
      this.idle = false;
      setImmediate(() => this.writeNext());
    });
  }

  private writeNext(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    let handedOn = false;
    const ready = () => {
      if (handedOn) return;
      handedOn = true;
      if (this.queue.length > 0) this.writeNext();
      else this.idle = true;
    };
    this.write(batch, ready).then(
      (outcomes) => {
        ready();
        batch.forEach((w, i) => {
          const outcome = outcomes[i]!;
          if (outcome.status === 'fulfilled') w.resolve(outcome.value);
          else w.reject(outcome.reason);
        });
      },
      (error: unknown) => {
        ready();
        for (const w of batch) w.reject(error);
      },
    );
  }
}
