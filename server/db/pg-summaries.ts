/**
 * Conversation summaries by id on PostgreSQL with the `pg` driver, in one statement. Every assignment, transfer and
 * resolution is announced with its conversation's summary, and in a burst the routing leader asks for hundreds at
 * once: through Prisma, which reads the conversations, their assignees, visitors, labels, last lines, authors and
 * files in a query each, a batch of 200 took 60–240 ms, and a visitor heard of its assignment only once its batch
 * was read. Answers are those of the Prisma path (conversations.ts), which summary-conformance.test.ts holds both to.
 */
import type { Pool } from 'pg';
import type { AuthorKind, ConversationSummaryDTO } from '../contract/dto.ts';
import { toConversationDTO, toMessageDTO } from './mappers.ts';
import { toAttachmentDTO, type AttachmentRow, type AttachmentUrl } from './message-dtos.ts';
import { assigneeOf, PG_CONVERSATION_COLUMNS, pgMessageFiles, pgUtc, visitorOf, type ConversationColumns, type VisitorColumns } from './row-columns.ts';

// Every row is reached by its key: the conversation by id, its last visitor or agent line by (conversationId, seq)
// read backwards, its labels and the line's files by their indexes. A summary's preview shows what people said, so
// system lines are passed over, as in the Prisma path.
export const SUMMARIES_BY_ID = `
SELECT ${PG_CONVERSATION_COLUMNS}, v.name AS "visitorName", v.email AS "visitorEmail", v."externalId" AS "visitorExternalId",
  v."nameVerified" AS "visitorNameVerified", v."emailVerified" AS "visitorEmailVerified",
  ARRAY(SELECT l.label FROM "ConversationLabel" l WHERE l."conversationId" = c.id ORDER BY l.label) AS labels,
  m.id AS "messageId", m.seq AS "messageSeq", m."authorKind"::text AS "messageAuthorKind", m."authorId" AS "messageAuthorId", m.body AS "messageBody",
  m."clientId" AS "messageClientId", ${pgUtc('m."createdAt"')} AS "messageCreatedAt",
  CASE m."authorKind" WHEN 'visitor' THEN (SELECT mv.name FROM "Visitor" mv WHERE mv.id = m."authorId")
    ELSE (SELECT ma.name FROM "Agent" ma WHERE ma.id = m."authorId") END AS "messageAuthorName",
  ${pgMessageFiles('m.id')} AS "messageFiles"
FROM unnest($1::text[]) AS i(id)
JOIN "Conversation" c ON c.id = i.id
JOIN "Visitor" v ON v.id = c."visitorId"
LEFT JOIN "Agent" ag ON ag.id = c."assigneeId"
LEFT JOIN LATERAL (
  SELECT * FROM "Message" lm WHERE lm."conversationId" = c.id AND lm."authorKind" IN ('visitor', 'agent') ORDER BY lm.seq DESC LIMIT 1
) m ON true`;

type SummaryRow = ConversationColumns<Date> & VisitorColumns & {
  labels: string[];
  messageId: string | null;
  messageSeq: number;
  messageAuthorKind: AuthorKind;
  messageAuthorId: string | null;
  messageBody: string;
  messageClientId: string | null;
  messageCreatedAt: Date;
  messageAuthorName: string | null;
  messageFiles: AttachmentRow[];
};

function toSummary(row: SummaryRow, attachmentUrl: AttachmentUrl): ConversationSummaryDTO {
  const lastMessage =
    row.messageId === null
      ? null
      : toMessageDTO(
          {
            id: row.messageId,
            conversationId: row.id,
            seq: row.messageSeq,
            authorKind: row.messageAuthorKind,
            authorId: row.messageAuthorId,
            body: row.messageBody,
            clientId: row.messageClientId,
            createdAt: row.messageCreatedAt,
          },
          row.messageAuthorName,
          row.messageFiles.map((file) => toAttachmentDTO(file, attachmentUrl)),
        );
  return {
    ...toConversationDTO({ ...row, assignee: assigneeOf(row) }),
    visitor: visitorOf(row),
    lastMessage,
    labels: row.labels,
  };
}

export type SummariesRead = (ids: string[]) => Promise<ConversationSummaryDTO[]>;

/** The summaries of those of `ids` that exist, in no particular order. */
export function pgSummaries(pool: Pool, attachmentUrl: AttachmentUrl): SummariesRead {
  return async (ids) => {
    // A named statement is parsed and planned once per connection.
    const { rows } = await pool.query<SummaryRow>({ name: 'parley-summaries-by-id', text: SUMMARIES_BY_ID, values: [ids] });
    return rows.map((row) => toSummary(row, attachmentUrl));
  };
}
