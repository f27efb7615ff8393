/**
 * Sending on SQLite: a group-commit batch in one transaction of raw prepared statements, which cost microseconds
 * where each Prisma query costs a fraction of a millisecond. Per message: look the clientId up, take the next
 * sequence number with the guarded UPDATE … RETURNING that also reads the conversation, insert the message (its
 * RETURNING reads the author's name). Attachments, when there are any, add a check, a link and a read.
 * The statements run on the writer thread (appendRows); the rows they return become DTOs on the main thread,
 * which signs attachment links. Table and column names are those of prisma/schema.prisma; DATETIME values are
 * stored as Prisma stores them.
 */
import type { AuthorKind, ConversationStatus } from '../contract/dto.ts';
import type { ErrorCode } from '../contract/errors.ts';
import type { AppendResult } from '../app/ports.ts';
import { AppError } from '../app/errors.ts';
import type { IdGenerator } from '../app/ids.ts';
import { toConversationDTO, toMessageDTO } from './mappers.ts';
import { toAttachmentDTO, type AttachmentRow, type AttachmentUrl } from './message-dtos.ts';
import { fulfilled, rejected, type Append, type WriteBatch } from './message-writer.ts';
import type { Prepare, SqliteWriter } from './sqlite-writer.ts';

/** Prisma's better-sqlite3 adapter writes DateTime as ISO 8601 text with an explicit UTC offset; reads also take integer ms. */
type SqliteDate = string | number;
const toSqliteDate = (date: Date) => date.toISOString().replace('Z', '+00:00');
const fromSqliteDate = (value: SqliteDate) => new Date(value);
const fromNullableDate = (value: SqliteDate | null) => (value === null ? null : new Date(value));

// The guard's unset fields are bound as NULL (0 for `open`) and check nothing; siteIds is a JSON array.
const GUARD = `(:visitorId IS NULL OR visitorId = :visitorId)
  AND (:siteIds IS NULL OR siteId IN (SELECT value FROM json_each(:siteIds)))
  AND (:open = 0 OR status <> 'resolved')
  AND (:assigneeId IS NULL OR assigneeId = :assigneeId)`;
const CONVERSATION = `*, (SELECT name FROM Agent WHERE Agent.id = Conversation.assigneeId) AS assigneeName,
  (SELECT avatarUrl FROM Agent WHERE Agent.id = Conversation.assigneeId) AS assigneeAvatarUrl`;
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

interface ConversationColumns {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  assigneeAvatarUrl: string | null;
  queuedAt: SqliteDate;
  assignedAt: SqliteDate | null;
  firstResponseAt: SqliteDate | null;
  resolvedAt: SqliteDate | null;
  lastSeq: number;
  visitorReadSeq: number;
  agentReadSeq: number;
  rating: number | null;
  ratingComment: string | null;
}

interface MessageColumns {
  id: string;
  conversationId: string;
  seq: number;
  authorKind: AuthorKind;
  authorId: string | null;
  body: string;
  clientId: string | null;
  createdAt: SqliteDate;
  authorName: string | null;
}

/** One append as the writer thread found or wrote it; null: the conversation does not exist or the guard refused. */
export type StoredRows = { message: MessageColumns; conversation: ConversationColumns; files: AttachmentRow[]; created: boolean } | null;
export type RowOutcome = { ok: true; rows: StoredRows } | { ok: false; code: ErrorCode; message: string };

/** The store's write path on SQLite: message ids made here (the generator is injected), rows written on the thread. */
export function sqliteBatches(writer: SqliteWriter, newId: IdGenerator, attachmentUrl: AttachmentUrl): WriteBatch {
  return async (appends, ready) => {
    // Only the data crosses to the thread (the group commit's entries also carry their callbacks).
    const request = { appends: appends.map(({ conversationId, message, guard }) => ({ conversationId, message, guard })), ids: appends.map(() => newId()) };
    const outcomes = await writer.append(request, ready);
    return outcomes.map((o) => (o.ok ? fulfilled(o.rows && result(o.rows, attachmentUrl)) : rejected(new AppError(o.code, o.message))));
  };
}

/** On the writer thread, inside its transaction: `ids[i]` is the id of `appends[i]` if it is stored anew. */
export function appendRows(prepare: Prepare, appends: Append[], ids: string[]): RowOutcome[] {
  const now = toSqliteDate(new Date());
  return appends.map((a, i) => appendOne(prepare, a, ids[i]!, now));
}

/** Refusals and bad attachments are found before anything is written, so they fail this append alone. */
function appendOne(prepare: Prepare, a: Append, id: string, now: string): RowOutcome {
  const m = a.message;
  const guard = guardParams(a);
  const stored = m.clientId === null ? undefined : (prepare(SQL.storedMessage).get(a.conversationId, m.clientId) as MessageColumns | undefined);
  if (stored) {
    const conversation = prepare(SQL.conversation).get(guard) as ConversationColumns | undefined;
    return { ok: true, rows: conversation ? { message: stored, conversation, files: filesOf(prepare, stored.id), created: false } : null };
  }
  const files = [...new Set(m.attachmentIds ?? [])];
  const fileIds = JSON.stringify(files);
  const withFiles = files.length > 0;
  if (withFiles && prepare(SQL.unsentFiles).pluck().get(fileIds, m.authorId ?? '') !== files.length) {
    return { ok: false, code: 'BAD_REQUEST', message: 'Unknown or already sent attachment' };
  }
  const conversation = prepare(SQL.takeSeq).get({ ...guard, now }) as ConversationColumns | undefined;
  if (!conversation) return { ok: true, rows: null };
  const body = m.system ? JSON.stringify(m.system) : m.body;
  const { authorName } = prepare(SQL.insertMessage).get(id, a.conversationId, conversation.lastSeq, m.authorKind, m.authorId, body, m.clientId, now) as { authorName: string | null };
  if (withFiles) prepare(SQL.linkFiles).run(id, a.conversationId, fileIds);
  const message: MessageColumns = { id, conversationId: a.conversationId, seq: conversation.lastSeq, authorKind: m.authorKind, authorId: m.authorId, body, clientId: m.clientId, createdAt: now, authorName };
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

function result({ message, conversation: c, files, created }: NonNullable<StoredRows>, attachmentUrl: AttachmentUrl): AppendResult {
  const { authorName, ...row } = message;
  const attachments = files.map((file) => toAttachmentDTO(file, attachmentUrl));
  return {
    message: toMessageDTO({ ...row, createdAt: fromSqliteDate(row.createdAt) }, authorName, attachments),
    conversation: toConversationDTO({
      ...c,
      assignee: c.assigneeId === null ? null : { id: c.assigneeId, name: c.assigneeName ?? '', avatarUrl: c.assigneeAvatarUrl },
      queuedAt: fromSqliteDate(c.queuedAt),
      assignedAt: fromNullableDate(c.assignedAt),
      firstResponseAt: fromNullableDate(c.firstResponseAt),
      resolvedAt: fromNullableDate(c.resolvedAt),
    }),
    created,
  };
}
