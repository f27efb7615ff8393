/**
 * Sending on SQLite, on the main thread: each group-commit batch goes to the writer thread (sqlite-writer.ts) with
 * the ids of its new messages, and the rows it answers with become DTOs here, where attachment links are signed.
 */
import type { AppendResult } from '../app/ports.ts';
import { AppError } from '../app/errors.ts';
import type { IdGenerator } from '../app/ids.ts';
import { fulfilled, rejected, type WriteBatch } from './group-commit.ts';
import { toConversationDTO, toMessageDTO } from './mappers.ts';
import { toAttachmentDTO, type AttachmentUrl } from './message-dtos.ts';
import { assigneeOf } from './row-columns.ts';
import type { SqliteWriter } from './sqlite-writer.ts';
import type { SqliteDate, StoredRows } from './sqlite-writer-protocol.ts';

const fromSqliteDate = (value: SqliteDate) => new Date(value);
const fromNullableDate = (value: SqliteDate | null) => (value === null ? null : new Date(value));

/** The store's write path on SQLite: message ids made here (the generator is injected), rows written on the thread. */
export function sqliteBatches(writer: SqliteWriter, newId: IdGenerator, attachmentUrl: AttachmentUrl): WriteBatch {
  return async (appends, ready) => {
    // Only the data crosses to the thread (the group commit's entries also carry their callbacks).
    const request = { appends: appends.map(({ conversationId, message, guard }) => ({ conversationId, message, guard })), ids: appends.map(() => newId()) };
    const outcomes = await writer.append(request, ready);
    return outcomes.map((o) => (o.ok ? fulfilled(o.rows && result(o.rows, attachmentUrl)) : rejected(new AppError(o.code, o.message))));
  };
}

function result({ message, conversation: c, files, created }: NonNullable<StoredRows>, attachmentUrl: AttachmentUrl): AppendResult {
  const { authorName, ...row } = message;
  const attachments = files.map((file) => toAttachmentDTO(file, attachmentUrl));
  return {
    message: toMessageDTO({ ...row, createdAt: fromSqliteDate(row.createdAt) }, authorName, attachments),
    conversation: toConversationDTO({
      ...c,
      assignee: assigneeOf(c),
      queuedAt: fromSqliteDate(c.queuedAt),
      assignedAt: fromNullableDate(c.assignedAt),
      firstResponseAt: fromNullableDate(c.firstResponseAt),
      resolvedAt: fromNullableDate(c.resolvedAt),
    }),
    created,
  };
}
