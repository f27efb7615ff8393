/**
 * The reads a visitor's message without a conversation id waits for (conversations.ts batches them): the visitor's
 * open conversation, and a message of theirs already stored under the same clientId (a retry). Prisma's here, for
 * SQLite; PostgreSQL reads them raw (pg-openings.ts).
 */
import type { ConversationDTO } from '../contract/dto.ts';
import type { AppendResult } from '../app/ports.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { toConversationDTO, withAssignee } from './mappers.ts';
import { messageDTOs, type AttachmentUrl } from './message-dtos.ts';

export interface OpeningReads {
  /** The newest open conversation of each of `visitorIds` that has one, in no particular order. */
  openByVisitor(visitorIds: string[]): Promise<ConversationDTO[]>;
  /** The visitor messages stored under each [visitorId, clientId] pair, in no particular order. */
  visitorMessagesByClientId(pairs: [string, string][]): Promise<AppendResult[]>;
}

export function prismaOpeningReads(prisma: PrismaClient, attachmentUrl: AttachmentUrl): OpeningReads {
  return {
    async openByVisitor(visitorIds) {
      // Oldest first: the newest open conversation of each visitor is the one a map by visitor keeps.
      const rows = await prisma.conversation.findMany({
        where: { visitorId: { in: visitorIds }, status: { in: ['queued', 'active'] } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: withAssignee,
      });
      return rows.map(toConversationDTO);
    },
    async visitorMessagesByClientId(pairs) {
      // One filter on each column, not one OR term per pair: each term's conversation filter is a join of its own,
      // and SQLite allows 64. Rows of another pair of the same columns are told apart by the caller's keys.
      const rows = await prisma.message.findMany({
        where: { clientId: { in: pairs.map(([, c]) => c) }, authorKind: 'visitor', conversation: { visitorId: { in: pairs.map(([v]) => v) } } },
        include: { conversation: { include: withAssignee } },
      });
      const messages = await messageDTOs(prisma, rows, attachmentUrl);
      return rows.map((row, i) => ({ message: messages[i]!, conversation: toConversationDTO(row.conversation), created: false }));
    },
  };
}
