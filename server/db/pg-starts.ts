/**
 * Conversations started on PostgreSQL with the `pg` driver: a batch of first messages in one statement, so one round
 * trip and one commit. Prisma's interactive transaction took six (BEGIN, two inserts, two reads, COMMIT), and in a
 * burst each waited its turn on an event loop and a pool already busy: on three nodes sharing two cores, a batch
 * took 260–490 ms to write. Rows and answers are those of prismaStarts (conversation-batches.ts), which
 * start-assign-conformance.test.ts holds both paths to. A batch with files goes through Prisma, which links them.
 */
import type { Pool } from 'pg';
import type { StartResult } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import { toConversationDTO, toMessageDTO } from './mappers.ts';
import type { StartBatch, StartInput } from './conversation-batches.ts';
import { messageRow } from './prisma-appends.ts';
import { pgUtc, visitorOf, type ConversationColumns, type VisitorColumns } from './row-columns.ts';

const NOW = pgUtc('$10::timestamptz');

// Both inserts read the input alone, and the answer joins only Visitor by key: planned generically, a join of two
// CTEs is a nested loop over both (see pg-assignments.ts). The message's foreign key is checked at the end of the
// statement, when its conversation exists.
export const START_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
    AS u(id, site_id, visitor_id, queued_at, message_id, author_kind, author_id, body, client_id)
),
conversations AS (
  INSERT INTO "Conversation" (id, "siteId", "visitorId", status, "queuedAt", "openingClientId", "lastSeq", "createdAt", "updatedAt")
  SELECT id, site_id, visitor_id, 'queued', ${pgUtc('queued_at')}, client_id, 1, ${NOW}, ${NOW} FROM input
  RETURNING *
),
messages AS (
  INSERT INTO "Message" (id, "conversationId", seq, "authorKind", "authorId", body, "clientId", "createdAt")
  SELECT message_id, id, 1, author_kind::"AuthorKind", author_id, body, client_id, ${NOW} FROM input
)
SELECT c.id, c."siteId", c."visitorId", c.status::text AS status, ${pgUtc('c."queuedAt"')} AS "queuedAt", ${pgUtc('c."assignedAt"')} AS "assignedAt",
  ${pgUtc('c."firstResponseAt"')} AS "firstResponseAt", ${pgUtc('c."resolvedAt"')} AS "resolvedAt", c."lastSeq", c."visitorReadSeq", c."agentReadSeq",
  c.rating, c."ratingComment", v.name AS "visitorName", v.email AS "visitorEmail", v."externalId" AS "visitorExternalId",
  v."nameVerified" AS "visitorNameVerified", v."emailVerified" AS "visitorEmailVerified"
FROM conversations c JOIN "Visitor" v ON v.id = c."visitorId"`;

type StartedRow = Omit<ConversationColumns<Date>, 'assigneeId' | 'assigneeName' | 'assigneeAvatarUrl' | 'assigneeRole'> & VisitorColumns;

/** Starts `inputs` (none with files) in one statement: its own transaction, committed when it answers. */
async function startInOneStatement(pool: Pool, inputs: StartInput[], newId: IdGenerator): Promise<StartResult[]> {
  const createdAt = new Date();
  const ids = inputs.map(() => newId());
  const messages = inputs.map((input, i) => messageRow(newId(), ids[i]!, 1, input.first, createdAt));
  const { rows } = await pool.query<StartedRow>({
    // A named statement is parsed and planned once per connection.
    name: 'parley-start-batch',
    text: START_BATCH,
    values: [
      ids,
      inputs.map((input) => input.siteId),
      inputs.map((input) => input.visitorId),
      inputs.map((input) => input.queuedAt.toISOString()),
      messages.map((m) => m.id),
      messages.map((m) => m.authorKind),
      messages.map((m) => m.authorId),
      messages.map((m) => m.body),
      messages.map((m) => m.clientId),
      createdAt.toISOString(),
    ],
  });
  // A visitor that does not exist fails the inserts (foreign key) before this: every input has its row.
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id, i) => {
    const row = byId.get(id);
    if (!row) throw new Error(`conversation ${id} was not started`);
    const visitor = visitorOf(row);
    const conversation = toConversationDTO({ ...row, assignee: null });
    const message = toMessageDTO(messages[i]!, messages[i]!.authorId === row.visitorId ? row.visitorName : null, []);
    // As in startMany: a new conversation has no labels, and its first line is its last.
    return { message, conversation, created: true, summary: { ...conversation, visitor, lastMessage: message, labels: [] } };
  });
}

/** The store's starts on PostgreSQL: raw, except a batch holding files, which `withFiles` (Prisma's path) writes. */
export function pgStarts(pool: Pool, withFiles: StartBatch, newId: IdGenerator): StartBatch {
  return (inputs) => (inputs.some((input) => (input.first.attachmentIds?.length ?? 0) > 0) ? withFiles(inputs) : startInOneStatement(pool, inputs, newId));
}
