/**
 * Appending messages, many at once. A burst of sends from many visitors becomes one transaction (one commit,
 * one fsync) with a handful of queries, instead of one transaction each: group commit. Each send is still
 * acknowledged only after the commit that holds it.
 */
import type { AppendResult, NewMessage } from '../app/ports.ts';
import { AppError } from '../app/errors.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Message, Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { assigneeSelect, toConversationDTO } from './mappers.ts';
import { messageDTOs, type AttachmentUrl } from './message-dtos.ts';

type Tx = Prisma.TransactionClient;

export interface Append {
  conversationId: string;
  message: NewMessage;
}

const key = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

/**
 * Writes `appends` in order inside `tx`. A clientId already stored (or repeated within the batch) returns the
 * stored message instead of a second one. Sequence numbers are consecutive per conversation.
 */
export async function writeMessages(tx: Tx, appends: Append[], newId: IdGenerator, attachmentUrl: AttachmentUrl): Promise<AppendResult[]> {
  const withClientId = appends.filter((a) => a.message.clientId !== null);
  const stored = withClientId.length === 0 ? [] : await tx.message.findMany({
    where: { OR: withClientId.map((a) => ({ conversationId: a.conversationId, clientId: a.message.clientId })) },
  });
  const known = new Map<string, Message>(stored.map((m) => [key(m.conversationId, m.clientId!), m]));

  // Which appends are new, and how many new messages each conversation gets.
  const fresh: Append[] = [];
  const pendingKeys = new Set<string>();
  for (const a of appends) {
    const k = a.message.clientId === null ? null : key(a.conversationId, a.message.clientId);
    if (k && (known.has(k) || pendingKeys.has(k))) continue;
    if (k) pendingKeys.add(k);
    fresh.push(a);
  }
  const counts = new Map<string, number>();
  for (const a of fresh) counts.set(a.conversationId, (counts.get(a.conversationId) ?? 0) + 1);

  // Incrementing lastSeq takes the row lock, so concurrent writers get consecutive numbers.
  const include = { assignee: assigneeSelect } as const;
  const conversations = new Map<string, Prisma.ConversationGetPayload<{ include: typeof include }>>();
  for (const [id, by] of counts) conversations.set(id, await tx.conversation.update({ where: { id }, data: { lastSeq: { increment: by } }, include }));
  const untouched = [...new Set(appends.map((a) => a.conversationId))].filter((id) => !conversations.has(id));
  if (untouched.length > 0) for (const row of await tx.conversation.findMany({ where: { id: { in: untouched } }, include })) conversations.set(row.id, row);

  const nextSeq = new Map<string, number>();
  for (const [id, by] of counts) nextSeq.set(id, conversations.get(id)!.lastSeq - by + 1);
  const createdAt = new Date();
  const rows: Message[] = fresh.map((a) => {
    const seq = nextSeq.get(a.conversationId)!;
    nextSeq.set(a.conversationId, seq + 1);
    const m = a.message;
    return {
      id: newId(),
      conversationId: a.conversationId,
      seq,
      authorKind: m.authorKind,
      authorId: m.authorId,
      body: m.system ? JSON.stringify(m.system) : m.body,
      clientId: m.clientId,
      createdAt,
    };
  });
  if (rows.length > 0) await tx.message.createMany({ data: rows });
  for (const [i, a] of fresh.entries()) await linkAttachments(tx, rows[i]!, a.message);
  for (const row of rows) if (row.clientId !== null) known.set(key(row.conversationId, row.clientId), row);

  const results = appends.map((a) => {
    const row = a.message.clientId === null ? rows[fresh.indexOf(a)]! : known.get(key(a.conversationId, a.message.clientId))!;
    return { row, created: fresh.includes(a), conversationId: a.conversationId };
  });
  const dtos = await messageDTOs(tx, results.map((r) => r.row), attachmentUrl);
  return results.map((r, i) => ({ message: dtos[i]!, conversation: toConversationDTO(conversations.get(r.conversationId)!), created: r.created }));
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

interface Waiting extends Append {
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Queues appends while a commit is in flight and writes them together in the next one. Under light load a
 * batch holds one message, so latency is that of a single write. A batch that fails is retried one append
 * at a time, so one bad send (say, a foreign attachment) fails alone.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly write: (tx: Tx, appends: Append[]) => Promise<AppendResult[]>,
    private readonly maxBatch = 200,
  ) {}

  append(conversationId: string, message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ conversationId, message, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.prisma.$transaction((tx) => this.write(tx, batch));
        batch.forEach((w, i) => w.resolve(results[i]!));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const w of batch) await this.prisma.$transaction((tx) => this.write(tx, [w])).then(([r]) => w.resolve(r!), w.reject);
      }
    }
    this.draining = false;
  }
}
