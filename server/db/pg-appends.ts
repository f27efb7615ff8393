/**
 * Sending on PostgreSQL with the `pg` driver: a whole group-commit batch in one statement, so one round trip and
 * one commit however many messages it holds (Prisma's path makes several round trips per message). The appends
 * travel as arrays, unnested with their order; one guarded UPDATE … RETURNING takes the sequence numbers of every
 * conversation in the batch under its row lock, checking the guard on the row as it is then (a conversation
 * resolved or reassigned meanwhile refuses); the inserts and the answers come from the same statement. Semantics
 * are those of sqlite-append-rows.ts and prisma-appends.ts, which append-conformance.test.ts holds all three to.
 */
import type { Pool } from 'pg';
import type { AppendResult } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { oneByOneOnFailure, type Append, type WriteBatch } from './group-commit.ts';
import { toConversationDTO, toMessageDTO } from './mappers.ts';
import { toAttachmentDTO, type AttachmentRow, type AttachmentUrl } from './message-dtos.ts';
import { prismaBatches } from './prisma-appends.ts';
import { assigneeOf, pgMessageFiles, pgUtc, type ConversationColumns, type MessageColumns } from './row-columns.ts';

const NOW = pgUtc('$11::timestamptz');

/** Whether append `b` may write to conversation row `c`; the guard's unset fields are NULL (false for open). */
const GUARD = `(b.guard_visitor IS NULL OR c."visitorId" = b.guard_visitor)
  AND (b.guard_sites IS NULL OR b.guard_sites ? c."siteId")
  AND (NOT b.guard_open OR c.status <> 'resolved')
  AND (b.guard_assignee IS NULL OR c."assigneeId" = b.guard_assignee)`;

/**
 * How many new messages conversation `c` takes: one per clientId (or per append without one) not stored yet whose
 * guard lets it through. Evaluated on the locked row, over that conversation's own appends only (`fresh` f).
 */
const NEW_MESSAGES = `(SELECT count(DISTINCT b.key) FROM unnest(f.keys, f.guard_visitors, f.guard_sites, f.guard_opens, f.guard_assignees)
  AS b(key, guard_visitor, guard_sites, guard_open, guard_assignee) WHERE ${GUARD})`;

const APPEND_BATCH = `
WITH batch AS (
  SELECT *, COALESCE('c:' || client_id, 'n:' || ord) AS key
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::boolean[], $10::text[])
    WITH ORDINALITY AS u(conversation_id, id, author_kind, author_id, body, client_id, guard_visitor, guard_sites, guard_open, guard_assignee, ord)
),
stored AS (
  SELECT b.ord, m.id FROM batch b JOIN "Message" m ON m."conversationId" = b.conversation_id AND m."clientId" = b.client_id
),
-- Per conversation of the batch, the guards and keys of its appends whose clientId is not stored (none: NULL).
fresh AS (
  SELECT b.conversation_id, array_agg(b.key) FILTER (WHERE s.ord IS NULL) AS keys,
    array_agg(b.guard_visitor) FILTER (WHERE s.ord IS NULL) AS guard_visitors, array_agg(b.guard_sites) FILTER (WHERE s.ord IS NULL) AS guard_sites,
    array_agg(b.guard_open) FILTER (WHERE s.ord IS NULL) AS guard_opens, array_agg(b.guard_assignee) FILTER (WHERE s.ord IS NULL) AS guard_assignees
  FROM batch b LEFT JOIN stored s ON s.ord = b.ord GROUP BY b.conversation_id
),
-- Row locks taken in id order, so that two nodes' batches sharing conversations queue instead of deadlocking.
locked AS (
  SELECT id FROM "Conversation" WHERE id IN (SELECT conversation_id FROM batch) ORDER BY id FOR UPDATE
),
-- Every conversation of the batch is updated, even with nothing to add, so that all are read under their row lock:
-- PostgreSQL re-checks SET and WHERE on a row another transaction changed while this one waited for it.
conversations AS (
  UPDATE "Conversation" c SET "lastSeq" = c."lastSeq" + ${NEW_MESSAGES},
    "updatedAt" = CASE WHEN ${NEW_MESSAGES} > 0 THEN ${NOW} ELSE c."updatedAt" END
  FROM fresh f JOIN locked l ON l.id = f.conversation_id WHERE c.id = f.conversation_id
  RETURNING c.*
),
judged AS (
  SELECT b.*, s.id AS stored_id, COALESCE(c.id IS NOT NULL AND ${GUARD}, false) AS allowed
  FROM batch b LEFT JOIN conversations c ON c.id = b.conversation_id LEFT JOIN stored s ON s.ord = b.ord
),
-- The first allowed append of a clientId not stored yet creates its message; the later ones answer with it.
firsts AS (
  SELECT j.*, j.allowed AND j.stored_id IS NULL AND row_number() OVER same_key = 1 AS created,
    CASE WHEN NOT j.allowed THEN NULL WHEN j.stored_id IS NOT NULL THEN j.stored_id ELSE first_value(j.id) OVER same_key END AS message_id
  FROM judged j
  WINDOW same_key AS (PARTITION BY j.conversation_id, j.key, j.allowed AND j.stored_id IS NULL ORDER BY j.ord)
),
numbered AS (
  SELECT f.*, (c."lastSeq" - count(*) FILTER (WHERE f.created) OVER (PARTITION BY f.conversation_id)
    + count(*) FILTER (WHERE f.created) OVER (PARTITION BY f.conversation_id ORDER BY f.ord))::integer AS last_seq
  FROM firsts f LEFT JOIN conversations c ON c.id = f.conversation_id
),
inserted AS (
  INSERT INTO "Message" (id, "conversationId", seq, "authorKind", "authorId", body, "clientId", "createdAt")
  SELECT id, conversation_id, last_seq, author_kind::"AuthorKind", author_id, body, client_id, ${NOW} FROM numbered WHERE created
)
SELECT n.ord, n.message_id AS "messageId",
  COALESCE(s.seq, k.last_seq) AS seq, COALESCE(s."authorKind"::text, k.author_kind) AS "authorKind",
  COALESCE(s."authorId", k.author_id) AS "authorId", COALESCE(s.body, k.body) AS body,
  COALESCE(s."clientId", k.client_id) AS "clientId", COALESCE(${pgUtc('s."createdAt"')}, $11::timestamptz) AS "createdAt",
  CASE COALESCE(s."authorKind"::text, k.author_kind)
    WHEN 'visitor' THEN (SELECT name FROM "Visitor" WHERE id = COALESCE(s."authorId", k.author_id))
    WHEN 'system' THEN NULL
    ELSE (SELECT name FROM "Agent" WHERE id = COALESCE(s."authorId", k.author_id)) END AS "authorName",
  ${pgMessageFiles('s.id')} AS files,
  n.created, c."siteId", c."visitorId", c.status::text AS status, c."assigneeId", ag.name AS "assigneeName", ag."avatarUrl" AS "assigneeAvatarUrl", ag.role::text AS "assigneeRole",
  ${pgUtc('c."queuedAt"')} AS "queuedAt", ${pgUtc('c."assignedAt"')} AS "assignedAt", ${pgUtc('c."firstResponseAt"')} AS "firstResponseAt",
  ${pgUtc('c."resolvedAt"')} AS "resolvedAt", n.last_seq AS "lastSeq", c."visitorReadSeq", c."agentReadSeq", c.rating, c."ratingComment"
FROM numbered n
LEFT JOIN conversations c ON c.id = n.conversation_id
LEFT JOIN "Agent" ag ON ag.id = c."assigneeId"
LEFT JOIN "Message" s ON s.id = n.stored_id
LEFT JOIN numbered k ON k.created AND k.id = n.message_id
ORDER BY n.ord`;

/** One row per append, in order: its message and its conversation's columns; `messageId` is null when it was refused. */
export type AnswerRow = Omit<MessageColumns<Date>, 'id' | 'conversationId'> &
  Omit<ConversationColumns<Date>, 'id'> & { messageId: string | null; files: AttachmentRow[]; created: boolean };

/** Writes `appends` (none with attachments) in one statement: its own transaction, committed when it answers. */
async function appendInOneStatement(pool: Pool, appends: Append[], newId: IdGenerator, attachmentUrl: AttachmentUrl): Promise<(AppendResult | null)[]> {
  const column = <T>(pick: (a: Append) => T) => appends.map(pick);
  const { rows } = await pool.query<AnswerRow>({
    // A named statement is parsed and planned once per connection.
    name: 'parley-append-batch',
    text: APPEND_BATCH,
    values: [
      column((a) => a.conversationId),
      column(() => newId()),
      column((a) => a.message.authorKind),
      column((a) => a.message.authorId),
      column((a) => (a.message.system ? JSON.stringify(a.message.system) : a.message.body)),
      column((a) => a.message.clientId),
      column((a) => a.guard.visitorId ?? null),
      column((a) => (a.guard.siteIds === undefined || a.guard.siteIds === 'all' ? null : JSON.stringify(a.guard.siteIds))),
      column((a) => a.guard.open === true),
      column((a) => a.guard.assigneeId ?? null),
      new Date().toISOString(),
    ],
  });
  return appends.map((a, i) => {
    const row = rows[i]!;
    return row.messageId === null ? null : appendResultOf({ ...row, messageId: row.messageId, conversationId: a.conversationId }, attachmentUrl);
  });
}

/** A message and its conversation as the raw statements read them back (the appends, a retry's lookup). */
export function appendResultOf(row: AnswerRow & { messageId: string; conversationId: string }, attachmentUrl: AttachmentUrl): AppendResult {
  const { messageId, conversationId, files, authorName, created } = row;
  const message = { id: messageId, conversationId, seq: row.seq, authorKind: row.authorKind, authorId: row.authorId, body: row.body, clientId: row.clientId, createdAt: row.createdAt };
  return {
    message: toMessageDTO(message, authorName, files.map((file) => toAttachmentDTO(file, attachmentUrl))),
    conversation: toConversationDTO({
      ...row,
      id: conversationId,
      assignee: assigneeOf(row),
    }),
    created,
  };
}

/**
 * The store's write path on PostgreSQL. A batch holding an attachment goes through Prisma (prisma-appends.ts), which
 * links files and aborts a send whose files are not the sender's: uploads are rare next to messages, and the
 * check-then-link takes several statements anyway. A batch whose statement fails (say, a clientId another node
 * stored meanwhile) is retried one append at a time, so one bad send fails alone.
 */
export function pgBatches(pool: Pool, prisma: PrismaClient, newId: IdGenerator, attachmentUrl: AttachmentUrl): WriteBatch {
  const withFiles = prismaBatches(prisma, newId, attachmentUrl);
  const raw = oneByOneOnFailure((appends) => appendInOneStatement(pool, appends, newId, attachmentUrl));
  return (appends, ready) => (appends.some((a) => (a.message.attachmentIds?.length ?? 0) > 0) ? withFiles(appends, ready) : raw(appends, ready));
}
