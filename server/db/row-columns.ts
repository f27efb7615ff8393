/**
 * A conversation's and a message's columns as the raw send paths read them back (the SQLite writer thread, the
 * PostgreSQL batch statement), with the assignee's public fields joined in. They differ only in how dates come
 * back: `D` is Date from pg, SQLite's stored text or milliseconds from better-sqlite3. Names are those of
 * prisma/schema.prisma.
 */
import type { AuthorKind, ConversationStatus } from '../contract/dto.ts';

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
