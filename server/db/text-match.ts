/**
 * "Contains this text", literally and ignoring case, for conversation search: the visitor's name or email, or
 * something a person wrote in it. Prisma's `contains` is a LIKE that leaves % and _ as wildcards, so a search
 * for "50%" would find "500". PostgreSQL's LIKE escapes with a backslash by default, so there the text is
 * escaped and Prisma's filter used. SQLite's LIKE has no escape character unless the query names one, which
 * Prisma's cannot: there the matching conversations are found with SQL of our own (LIKE … ESCAPE '\').
 */
import type { Prisma, PrismaClient } from './generated/sqlite/client.ts';

/** The newest matching conversations SQLite hands on to the rest of the query (bounded, as ids are bound one by one). */
const SQLITE_MATCH_LIMIT = 5000;

/** Backslash-escapes LIKE's wildcards and the backslash itself. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function textMatch(prisma: PrismaClient, provider: 'sqlite' | 'postgresql', text: string): Promise<Prisma.ConversationWhereInput> {
  if (provider === 'postgresql') {
    const match = { contains: escapeLike(text), mode: 'insensitive' } as Prisma.StringFilter;
    return {
      OR: [
        { visitor: { name: match } },
        { visitor: { email: match } },
        { messages: { some: { body: match, authorKind: { not: 'system' } } } },
      ],
    };
  }
  const pattern = `%${escapeLike(text)}%`;
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    SELECT c.id FROM Conversation c JOIN Visitor v ON v.id = c.visitorId
    WHERE v.name LIKE ${pattern} ESCAPE '\\' OR v.email LIKE ${pattern} ESCAPE '\\'
      OR EXISTS (SELECT 1 FROM Message m WHERE m.conversationId = c.id AND m.authorKind <> 'system' AND m.body LIKE ${pattern} ESCAPE '\\')
    ORDER BY c.updatedAt DESC LIMIT ${SQLITE_MATCH_LIMIT}`;
  return { id: { in: rows.map((row) => row.id) } };
}
