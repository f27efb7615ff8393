/**
 * A conversation's and a message's columns as the raw paths read them back (the SQLite writer thread, the
 * PostgreSQL statements), with the assignee's public fields joined in, and the visitor's where a summary needs
 * them. They differ only in how dates come back: `D` is Date from pg, SQLite's stored text or milliseconds from
 * better-sqlite3. Names are those of prisma/schema.prisma.
 */
import type { AuthorKind, ConversationStatus, VisitorSummary } from '../contract/dto.ts';
import { toVisitorSummary, type ConversationRow } from './mappers.ts';

export interface ConversationColumns<D> {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  assigneeName: string | null;
  assigneeAvatarUrl: string | null;
  assigneeRole: string | null;
  queuedAt: D;
  assignedAt: D | null;
  firstResponseAt: D | null;
  resolvedAt: D | null;
  lastSeq: number;
  visitorReadSeq: number;
  agentReadSeq: number;
  rating: number | null;
  ratingComment: string | null;
}

/** The assignee joined in beside a conversation's columns, as its DTO's mapper takes it. */
export function assigneeOf(row: Pick<ConversationColumns<unknown>, 'assigneeId' | 'assigneeName' | 'assigneeAvatarUrl' | 'assigneeRole'>): ConversationRow['assignee'] {
  return row.assigneeId === null ? null : { id: row.assigneeId, name: row.assigneeName ?? '', avatarUrl: row.assigneeAvatarUrl, role: row.assigneeRole };
}

/** A conversation's visitor as a summary shows it, joined in beside the conversation's columns. */
export interface VisitorColumns {
  visitorId: string;
  visitorName: string | null;
  visitorEmail: string | null;
  visitorExternalId: string | null;
  visitorNameVerified: boolean;
  visitorEmailVerified: boolean;
}

export function visitorOf(row: VisitorColumns): VisitorSummary {
  return toVisitorSummary({
    id: row.visitorId,
    name: row.visitorName,
    email: row.visitorEmail,
    externalId: row.visitorExternalId,
    nameVerified: row.visitorNameVerified,
    emailVerified: row.visitorEmailVerified,
  });
}

export interface MessageColumns<D> {
  id: string;
  conversationId: string;
  seq: number;
  authorKind: AuthorKind;
  authorId: string | null;
  body: string;
  clientId: string | null;
  createdAt: D;
  authorName: string | null;
}

/**
 * On PostgreSQL, a TIMESTAMP(3) column holding UTC (as Prisma writes them) read as timestamptz, so that `pg` makes
 * UTC Dates of it; also turns a timestamptz parameter into such a column's value.
 */
export const pgUtc = (column: string) => `${column} AT TIME ZONE 'UTC'`;

/** ConversationColumns read on PostgreSQL from a conversation `c` and its assignee `ag` (LEFT JOIN "Agent" ag). */
export const PG_CONVERSATION_COLUMNS = `c.id, c."siteId", c."visitorId", c.status::text AS status, c."assigneeId", ag.name AS "assigneeName",
  ag."avatarUrl" AS "assigneeAvatarUrl", ag.role::text AS "assigneeRole", ${pgUtc('c."queuedAt"')} AS "queuedAt", ${pgUtc('c."assignedAt"')} AS "assignedAt",
  ${pgUtc('c."firstResponseAt"')} AS "firstResponseAt", ${pgUtc('c."resolvedAt"')} AS "resolvedAt", c."lastSeq", c."visitorReadSeq", c."agentReadSeq",
  c.rating, c."ratingComment"`;

/** The files of message `messageId` (an SQL expression) as JSON AttachmentRows, oldest first: `[]` when none. */
export const pgMessageFiles = (messageId: string) => `(SELECT COALESCE(json_agg(json_build_object('id', f.id, 'fileName', f."fileName", 'contentType', f."contentType",
  'size', f.size) ORDER BY f."createdAt"), '[]') FROM "Attachment" f WHERE f."messageId" = ${messageId})`;
