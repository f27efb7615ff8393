/**
 * What crosses between the main thread (sqlite-writer.ts, sqlite-batches.ts) and the SQLite writer thread
 * (sqlite-worker.ts, sqlite-append-rows.ts): plain data, copied by postMessage. Table and column names are those of
 * prisma/schema.prisma.
 */
import type { ErrorCode } from '../contract/errors.ts';
import type { Append } from './group-commit.ts';
import type { AttachmentRow } from './message-dtos.ts';
import type { ConversationColumns, MessageColumns } from './row-columns.ts';

/** Prisma's better-sqlite3 adapter writes DateTime as ISO 8601 text with an explicit UTC offset; reads also take integer ms. */
export type SqliteDate = string | number;

/** A conversation's and a message's columns as the writer thread reads them back (SQLite's dates). */
export type SqliteConversationRow = ConversationColumns<SqliteDate>;
export type SqliteMessageRow = MessageColumns<SqliteDate>;

/** One append as the writer thread found or wrote it; null: the conversation does not exist or the guard refused. */
export type StoredRows = { message: SqliteMessageRow; conversation: SqliteConversationRow; files: AttachmentRow[]; created: boolean } | null;
export type RowOutcome = { ok: true; rows: StoredRows } | { ok: false; code: ErrorCode; message: string };

/** What the writer thread is asked: these appends, in one transaction, with these message ids. */
export interface AppendRequest {
  appends: Append[];
  ids: string[];
}

/**
 * Its answers: `written` when the statements have run and the commit begins, then one outcome per append, or
 * why the transaction failed (SQLite's message and code).
 */
export type AppendReply = { written: true } | { outcomes: RowOutcome[] } | { error: { message: string; code?: string } };
