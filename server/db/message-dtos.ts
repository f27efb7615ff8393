/** Message rows to DTOs: author names and attachments read with one query each for a whole page. */
import type { AttachmentDTO, MessageDTO } from '../contract/dto.ts';
import type { Message, Prisma, PrismaClient } from './generated/sqlite/client.ts';
import { toMessageDTO } from './mappers.ts';

export type Db = Prisma.TransactionClient | PrismaClient;
export type AttachmentUrl = (attachmentId: string) => string;

export interface AttachmentRow {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
}

export async function messageDTOs(db: Db, rows: Message[], attachmentUrl: AttachmentUrl): Promise<MessageDTO[]> {
  const [names, attachments] = await Promise.all([authorNames(db, rows), attachmentsOf(db, rows, attachmentUrl)]);
  return rows.map((row) => toMessageDTO(row, row.authorId ? (names.get(row.authorId) ?? null) : null, attachments.get(row.id) ?? []));
}

export function toAttachmentDTO(file: AttachmentRow, attachmentUrl: AttachmentUrl): AttachmentDTO {
  return { id: file.id, fileName: file.fileName, contentType: file.contentType, size: file.size, image: file.contentType.startsWith('image/'), url: attachmentUrl(file.id) };
}

async function authorNames(db: Db, rows: Message[]): Promise<Map<string, string | null>> {
  const ids = (kinds: string[]) => [...new Set(rows.filter((r) => r.authorId && kinds.includes(r.authorKind)).map((r) => r.authorId!))];
  const agentIds = ids(['agent', 'note']);
  const visitorIds = ids(['visitor']);
  const [agents, visitors] = await Promise.all([
    agentIds.length > 0 ? db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, name: true } }) : [],
    visitorIds.length > 0 ? db.visitor.findMany({ where: { id: { in: visitorIds } }, select: { id: true, name: true } }) : [],
  ]);
  return new Map<string, string | null>([...agents, ...visitors].map((a) => [a.id, a.name]));
}

async function attachmentsOf(db: Db, rows: Message[], attachmentUrl: AttachmentUrl): Promise<Map<string, AttachmentDTO[]>> {
  const byMessage = new Map<string, AttachmentDTO[]>();
  const ids = rows.filter((r) => r.authorKind !== 'system').map((r) => r.id);
  if (ids.length === 0) return byMessage;
  const files = await db.attachment.findMany({
    where: { messageId: { in: ids } },
    select: { id: true, messageId: true, fileName: true, contentType: true, size: true },
    orderBy: { createdAt: 'asc' },
  });
  for (const f of files) {
    const list = byMessage.get(f.messageId!) ?? [];
    list.push(toAttachmentDTO(f, attachmentUrl));
    byMessage.set(f.messageId!, list);
  }
  return byMessage;
}
