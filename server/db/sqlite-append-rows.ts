/**
 * Sending on SQLite, on the writer thread: a group-commit batch in one transaction of raw prepared statements,
 * which cost microseconds where each Prisma query costs a fraction of a millisecond. Per message: look the
 * clientId up, take the next sequence number with the guarded UPDATE … RETURNING that also reads the conversation,
 * insert the message (its RETURNING reads the author's name). Attachments, when there are any, add a check, a link
 * and a read. The rows go back to the main thread (sqlite-batches.ts). DATETIME values are stored as Prisma
 * stores them.
 */
import type { Append } from './group-commit.ts';
import type { AttachmentRow } from './message-dtos.ts';
import type { Prepare } from './sqlite-connection.ts';
import type { RowOutcome, SqliteConversationRow, SqliteMessageRow } from './sqlite-writer-protocol.ts';

export const toSqliteDate = (date: Date) => date.toISOString().replace('Z', '+00:00');

// The guard's unset fields are bound as NULL (0 for `open`) and check nothing; siteIds is a JSON array.
const GUARD = `(:visitorId IS NULL OR visitorId = :visitorId)
  AND (:siteIds IS NULL OR siteId IN (SELECT value FROM json_each(:siteIds)))
  AND (:open = 0 OR status <> 'resolved')
  AND (:assigneeId IS NULL OR assigneeId = :assigneeId)`;
const CONVERSATION = `*, (SELECT name FROM Agent WHERE Agent.id = Conversation.assigneeId) AS assigneeName,
  (SELECT avatarUrl FROM Agent WHERE Agent.id = Conversation.assigneeId) AS assigneeAvatarUrl,
  (SELECT role FROM Agent WHERE Agent.id = Conversation.assigneeId) AS assigneeRole`;
const AUTHOR_NAME = `CASE Message.authorKind WHEN 'visitor' THEN (SELECT name FROM Visitor WHERE Visitor.id = Message.authorId)
  WHEN 'system' THEN NULL ELSE (SELECT name FROM Agent WHERE Agent.id = Message.authorId) END AS authorName`;

const SQL = {
  storedMessage: `SELECT *, ${AUTHOR_NAME} FROM Message WHERE conversationId = ? AND clientId = ?`,
  conversation: `SELECT ${CONVERSATION} FROM Conversation WHERE id = :id AND ${GUARD}`,
  takeSeq: `UPDATE Conversation SET lastSeq = lastSeq + 1, updatedAt = :now WHERE id = :id AND ${GUARD} RETURNING ${CONVERSATION}`,
  insertMessage: `INSERT INTO Message (id, conversationId, seq, authorKind, authorId, body, clientId, createdAt)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${AUTHOR_NAME}`,
  // Only unsent files of the same uploader qualify.
  unsentFiles: `SELECT COUNT(*) FROM Attachment WHERE id IN (SELECT value FROM json_each(?)) AND uploaderId = ? AND messageId IS NULL`,
  linkFiles: `UPDATE Attachment SET messageId = ?, conversationId = ? WHERE id IN (SELECT value FROM json_each(?))`,
  files: `SELECT id, fileName, contentType, size FROM Attachment WHERE messageId = ? ORDER BY createdAt`,
};

/** On the writer thread, inside its transaction: `ids[i]` is the id of `appends[i]` if it is stored anew. */
export function appendRows(prepare: Prepare, appends: Append[], ids: string[]): RowOutcome[] {
  const now = toSqliteDate(new Date());
  return appends.map((a, i) => appendOne(prepare, a, ids[i]!, now));
}

/** Refusals and bad attachments are found before anything is written, so they fail this append alone. */
function appendOne(prepare: Prepare, a: Append, id: string, now: string): RowOutcome {
  const m = a.message;
  const guard = guardParams(a);
  const stored = m.clientId === null ? undefined : (prepare(SQL.storedMessage).get(a.conversationId, m.clientId) as SqliteMessageRow | undefined);
  if (stored) {
    const conversation = prepare(SQL.conversation).get(guard) as SqliteConversationRow | undefined;
    return { ok: true, rows: conversation ? { message: stored, conversation, files: filesOf(prepare, stored.id), created: false } : null };
  }
  const files = [...new Set(m.attachmentIds ?? [])];
  const fileIds = JSON.stringify(files);
  const withFiles = files.length > 0;
  if (withFiles && prepare(SQL.unsentFiles).pluck().get(fileIds, m.authorId ?? '') !== files.length) {
    return { ok: false, code: 'BAD_REQUEST', message: 'Unknown or already sent attachment' };
  }
  const conversation = prepare(SQL.takeSeq).get({ ...guard, now }) as SqliteConversationRow | undefined;
  if (!conversation) return { ok: true, rows: null };
  const body = m.system ? JSON.stringify(m.system) : m.body;
  const { authorName } = prepare(SQL.insertMessage).get(id, a.conversationId, conversation.lastSeq, m.authorKind, m.authorId, body, m.clientId, now) as { authorName: string | null };
  if (withFiles) prepare(SQL.linkFiles).run(id, a.conversationId, fileIds);
  const message: SqliteMessageRow = { id, conversationId: a.conversationId, seq: conversation.lastSeq, authorKind: m.authorKind, authorId: m.authorId, body, clientId: m.clientId, createdAt: now, authorName };
  return { ok: true, rows: { message, conversation, files: withFiles ? filesOf(prepare, id) : [], created: true } };
}

function filesOf(prepare: Prepare, messageId: string): AttachmentRow[] {
  return prepare(SQL.files).all(messageId) as AttachmentRow[];
}

function guardParams({ conversationId, guard }: Append) {
  return {
    id: conversationId,
    visitorId: guard.visitorId ?? null,
    siteIds: guard.siteIds === undefined || guard.siteIds === 'all' ? null : JSON.stringify(guard.siteIds),
    open: guard.open ? 1 : 0,
    assigneeId: guard.assigneeId ?? null,
  };
}
