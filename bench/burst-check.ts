/**
 * After a burst, from the database itself: was any conversation assigned twice (two 'assigned' lines), left
 * waiting while an agent had room, or an agent given more than their capacity? And how many waiting
 * conversations are older than the newest assigned one (first come, first served, as far as arrival allows)?
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseDatabaseUrl } from '../prisma/database-url.ts';

export interface AssignmentCheck {
  conversations: number;
  assigned: number;
  assignedTwice: number;
  /** Conversations still waiting beyond the agents' free capacity: min(conversations, capacity) − assigned. */
  skipped: number;
  /** Agents holding more conversations than their capacity. */
  overCapacity: number;
  /** Waiting conversations queued before the newest assigned one. */
  waitingOlderThanAssigned: number;
}

interface Row {
  id: string;
  status: string;
  assigneeId: string | null;
  queuedAt: string | number | Date;
  assignedLines: number | string | bigint;
  capacity: number | null;
}

/** The same SQL on both: Prisma's quoted table and column names. */
const QUERY = (param: string) => `
  SELECT c."id", c."status", c."assigneeId", c."queuedAt", a."capacity",
    (SELECT COUNT(*) FROM "Message" m
      WHERE m."conversationId" = c."id" AND m."authorKind" = 'system' AND m."body" LIKE '{"type":"assigned"%') AS "assignedLines"
  FROM "Conversation" c LEFT JOIN "Agent" a ON a."id" = c."assigneeId"
  WHERE c."siteId" = ${param}`;

export async function checkAssignments(where: { sqliteFile: string } | { postgresUrl: string }, siteId: string, capacity: number): Promise<AssignmentCheck> {
  const rows = 'sqliteFile' in where ? readSqlite(where.sqliteFile, siteId) : await readPostgres(where.postgresUrl, siteId);
  const assigned = rows.filter((r) => r.status === 'active');
  const newestAssigned = Math.max(...assigned.map((r) => time(r.queuedAt)));
  const load = new Map<string, { count: number; capacity: number }>();
  for (const r of assigned) {
    const entry = load.get(r.assigneeId!) ?? { count: 0, capacity: r.capacity ?? 0 };
    entry.count++;
    load.set(r.assigneeId!, entry);
  }
  return {
    conversations: rows.length,
    assigned: assigned.length,
    assignedTwice: rows.filter((r) => Number(r.assignedLines) > 1).length,
    skipped: Math.max(0, Math.min(rows.length, capacity) - assigned.length),
    overCapacity: [...load.values()].filter((a) => a.count > a.capacity).length,
    waitingOlderThanAssigned: rows.filter((r) => r.status === 'queued' && time(r.queuedAt) < newestAssigned).length,
  };
}

function readSqlite(file: string, siteId: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(QUERY('?')).all(siteId) as Row[];
  } finally {
    db.close();
  }
}

async function readPostgres(url: string, siteId: string): Promise<Row[]> {
  const target = parseDatabaseUrl(url);
  if (target.provider !== 'postgresql') throw new Error(`not a PostgreSQL URL: ${url}`);
  const client = new pg.Client(target.config);
  await client.connect();
  try {
    return (await client.query<Row>(QUERY('$1'), [siteId])).rows;
  } finally {
    await client.end();
  }
}

/** SQLite keeps Prisma's DateTime as milliseconds or as text, PostgreSQL as a timestamp. */
const time = (value: Row['queuedAt']) => (typeof value === 'number' ? value : new Date(value).getTime());
