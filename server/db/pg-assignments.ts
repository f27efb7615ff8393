/**
 * A routing decision's assignments on PostgreSQL with the `pg` driver, in one statement: each conversation still
 * queued gets its agent and its "assigned" line, one that is not is left alone and answered null. One round trip
 * and one commit, where Prisma's transaction took six, and more when a guard refused (undo, then one by one): the
 * routing leader writes them while every other routing command waits, so in a burst each round trip delayed every
 * conversation behind it. Answers are those of prismaAssignments (conversation-batches.ts), which
 * start-assign-conformance.test.ts holds both paths to.
 */
import type { Pool } from 'pg';
import type { AppendResult } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import { toConversationDTO, toMessageDTO } from './mappers.ts';
import { systemMessage, type AssignBatch, type Assignment } from './conversation-batches.ts';
import { messageRow } from './prisma-appends.ts';
import { assigneeOf, pgUtc, type ConversationColumns } from './row-columns.ts';

export const ASSIGN_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(id, agent_id, message_id, author_id, body, ord)
),
-- The conversations, locked in id order as the send batches lock theirs (pg-appends.ts), so that the two queue, never
-- deadlock; each read as it is once locked, so one changed while this waited for it is judged as it is now. Found by
-- key only, with no two CTEs joined: planned generically, a status filter here read the queued ones by their index
-- and a join of two CTEs was a nested loop, 560,000 comparisons and 360 ms for the 750 assignments of a shift
-- coming online.
locked AS (
  SELECT c.id, c.status, i.agent_id, i.message_id, i.author_id, i.body, i.ord FROM input i JOIN "Conversation" c ON c.id = i.id
  ORDER BY c.id FOR UPDATE OF c
),
assigned AS (
  UPDATE "Conversation" c SET status = 'active', "assigneeId" = l.agent_id, "assignedAt" = ${pgUtc('$6::timestamptz')}, "lastSeq" = c."lastSeq" + 1
  FROM locked l WHERE c.id = l.id AND l.status = 'queued'
  RETURNING c.*, l.message_id, l.author_id, l.body, l.ord
),
lines AS (
  INSERT INTO "Message" (id, "conversationId", seq, "authorKind", "authorId", body, "clientId", "createdAt")
  SELECT message_id, id, "lastSeq", 'system', author_id, body, NULL, ${pgUtc('$7::timestamptz')} FROM assigned
)
SELECT a.ord, a.id, a."siteId", a."visitorId", a.status::text AS status, a."assigneeId", ag.name AS "assigneeName", ag."avatarUrl" AS "assigneeAvatarUrl",
  ag.role::text AS "assigneeRole", ${pgUtc('a."queuedAt"')} AS "queuedAt", ${pgUtc('a."assignedAt"')} AS "assignedAt",
  ${pgUtc('a."firstResponseAt"')} AS "firstResponseAt", ${pgUtc('a."resolvedAt"')} AS "resolvedAt", a."lastSeq", a."visitorReadSeq", a."agentReadSeq",
  a.rating, a."ratingComment"
FROM assigned a LEFT JOIN "Agent" ag ON ag.id = a."assigneeId"`;

/** One row per conversation assigned; `ord` is its assignment's place in the batch, from 1. */
type AssignedRow = ConversationColumns<Date> & { ord: string };

async function assignInOneStatement(pool: Pool, assignments: Assignment[], at: Date, newId: IdGenerator): Promise<(AppendResult | null)[]> {
  const createdAt = new Date();
  // Its seq is the conversation's new lastSeq, known only once updated: the row's 0 here is not written.
  const lines = assignments.map((a) => messageRow(newId(), a.id, 0, systemMessage(a.event), createdAt));
  const { rows } = await pool.query<AssignedRow>({
    // A named statement is parsed and planned once per connection.
    name: 'parley-assign-batch',
    text: ASSIGN_BATCH,
    values: [
      assignments.map((a) => a.id),
      assignments.map((a) => a.agentId),
      lines.map((line) => line.id),
      lines.map((line) => line.authorId),
      lines.map((line) => line.body),
      at.toISOString(),
      createdAt.toISOString(),
    ],
  });
  const answers: (AppendResult | null)[] = assignments.map(() => null);
  for (const row of rows) {
    const i = Number(row.ord) - 1;
    // A system line has no author name and no files (message-dtos.ts).
    answers[i] = { message: toMessageDTO({ ...lines[i]!, seq: row.lastSeq }, null, []), conversation: toConversationDTO({ ...row, assignee: assigneeOf(row) }), created: true };
  }
  return answers;
}

export function pgAssignments(pool: Pool, newId: IdGenerator): AssignBatch {
  return (assignments, at) => assignInOneStatement(pool, assignments, at, newId);
}
