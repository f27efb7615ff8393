/**
 * The two reads a visitor's message without a conversation id waits for (the first message of a conversation, or
 * a retry of it), on PostgreSQL with the `pg` driver, each one statement: the visitor's open conversation, and a
 * message of theirs already stored under the same clientId. Through Prisma (a query for the conversations and one
 * for their assignees; for a retry the message, its conversation, its assignee, its author, its files) a batch took
 * 30–370 ms on each of three nodes in the bench's queue burst: the longest step between a first message and its
 * conversation existing. Answers are those of the Prisma path (opening-reads.ts); opening-conformance.test.ts
 * holds both to them.
 */
import type { Pool } from 'pg';
import { toConversationDTO } from './mappers.ts';
import type { AttachmentUrl } from './message-dtos.ts';
import type { OpeningReads } from './opening-reads.ts';
import { appendResultOf, type AnswerRow } from './pg-appends.ts';
import { assigneeOf, PG_CONVERSATION_COLUMNS, pgMessageFiles, pgUtc, type ConversationColumns } from './row-columns.ts';

/** Each visitor's newest open conversation, through the index that begins with visitorId. */
export const OPEN_BY_VISITOR = `
SELECT DISTINCT ON (c."visitorId") ${PG_CONVERSATION_COLUMNS}
FROM "Conversation" c
LEFT JOIN "Agent" ag ON ag.id = c."assigneeId"
WHERE c."visitorId" = ANY($1::text[]) AND c.status IN ('queued', 'active')
ORDER BY c."visitorId", c."createdAt" DESC, c.id DESC`;

/** Each (visitor, clientId) pair's stored visitor message: the visitor's conversations, then the message by (conversationId, clientId). */
export const VISITOR_MESSAGES_BY_CLIENT_ID = `
SELECT m.id AS "messageId", m."conversationId", m.seq, m."authorKind"::text AS "authorKind", m."authorId", m.body, m."clientId",
  ${pgUtc('m."createdAt"')} AS "createdAt", v.name AS "authorName", ${pgMessageFiles('m.id')} AS files, false AS created,
  ${PG_CONVERSATION_COLUMNS}
FROM unnest($1::text[], $2::text[]) AS k(visitor_id, client_id)
JOIN "Conversation" c ON c."visitorId" = k.visitor_id
JOIN "Message" m ON m."conversationId" = c.id AND m."clientId" = k.client_id AND m."authorKind" = 'visitor'
LEFT JOIN "Visitor" v ON v.id = m."authorId"
LEFT JOIN "Agent" ag ON ag.id = c."assigneeId"`;

export function pgOpeningReads(pool: Pool, attachmentUrl: AttachmentUrl): OpeningReads {
  return {
    async openByVisitor(visitorIds) {
      // A named statement is parsed and planned once per connection.
      const { rows } = await pool.query<ConversationColumns<Date>>({ name: 'parley-open-by-visitor', text: OPEN_BY_VISITOR, values: [visitorIds] });
      return rows.map((row) => toConversationDTO({ ...row, assignee: assigneeOf(row) }));
    },
    async visitorMessagesByClientId(pairs) {
      const { rows } = await pool.query<AnswerRow & { messageId: string; conversationId: string }>({
        name: 'parley-visitor-messages-by-client-id',
        text: VISITOR_MESSAGES_BY_CLIENT_ID,
        values: [pairs.map(([visitorId]) => visitorId), pairs.map(([, clientId]) => clientId)],
      });
      return rows.map((row) => appendResultOf(row, attachmentUrl));
    },
  };
}
