/**
 * Every write path for new conversations and for routing's assignments gives the same answers and stores the same
 * rows: Prisma's on SQLite and on PostgreSQL, and the raw one-statement batches on PostgreSQL (pg-starts.ts,
 * pg-assignments.ts). Each case runs through each path, against the real database with the migrations applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppendResult, NewMessage, StartResult } from '../../../server/app/ports.ts';
import { newId } from '../../../server/app/ids.ts';
import type { Database } from '../../../server/db/client.ts';
import { prismaAssignments, prismaStarts, type AssignBatch, type Assignment, type StartBatch, type StartInput } from '../../../server/db/conversation-batches.ts';
import { isUniqueViolation } from '../../../server/db/errors.ts';
import { ASSIGN_BATCH, pgAssignments } from '../../../server/db/pg-assignments.ts';
import { pgStarts, START_BATCH } from '../../../server/db/pg-starts.ts';
import { useMigratedDatabase } from '../../support/migrated-database.ts';
import { preparedPlan } from '../../support/query-plans.ts';
import { postgresAvailable, throwawayDatabase } from '../../support/postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-start-assign-'));
const attachmentUrl = (id: string) => `/files/${id}`;

interface WritePath {
  name: string;
  available: boolean;
  /** Other connections' transactions can hold a conversation's row lock while a batch is written. */
  rowLocks?: boolean;
  database(): Promise<{ url: string; drop(): Promise<void> }>;
  starts(database: Database): StartBatch;
  assigns(database: Database): AssignBatch;
}

const viaPrisma = {
  starts: (database: Database) => prismaStarts(database.prisma, database.provider, newId, attachmentUrl),
  assigns: (database: Database) => prismaAssignments(database.prisma, database.provider, newId, attachmentUrl),
};

function rawPool(database: Database) {
  if (database.provider !== 'postgresql') throw new Error('the raw pg path needs PostgreSQL');
  return database.rawPool;
}

const paths: WritePath[] = [
  { name: 'Prisma on SQLite', available: true, database: async () => ({ url: `file:${join(dir, 'prisma.db')}`, drop: async () => {} }), ...viaPrisma },
  { name: 'Prisma on PostgreSQL', available: postgresAvailable, rowLocks: true, database: throwawayDatabase, ...viaPrisma },
  {
    name: 'raw pg statements on PostgreSQL',
    available: postgresAvailable,
    rowLocks: true,
    database: throwawayDatabase,
    starts: (database) => pgStarts(rawPool(database), viaPrisma.starts(database), newId),
    assigns: (database) => pgAssignments(rawPool(database), newId),
  },
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const says = (visitorId: string, body: string, attachmentIds?: string[]): NewMessage =>
  ({ authorKind: 'visitor', authorId: visitorId, body, clientId: `${visitorId}:${body}`, ...(attachmentIds && { attachmentIds }) });

const queuedAt = new Date('2026-12-06T10:00:00.123Z');
const start = (visitorId: string, body: string, attachmentIds?: string[]): StartInput => ({ siteId: 's1', visitorId, queuedAt, first: says(visitorId, body, attachmentIds) });

/** A start's answer as comparable data, without ids and write times. */
function started(result: StartResult) {
  const { message: m, conversation: c } = result;
  const s = result.created ? result.summary : undefined;
  expect(s).toMatchObject({ id: c.id, lastMessage: m });
  expect(m.conversationId).toBe(c.id);
  return {
    created: result.created,
    message: { seq: m.seq, authorKind: m.authorKind, authorId: m.authorId, authorName: m.authorName, body: m.body, clientId: m.clientId, files: m.attachments.map((a) => `${a.fileName} ${a.url}`) },
    conversation: { ...c, id: 'id' },
    visitor: s?.visitor,
    labels: s?.labels,
  };
}

/** An assignment's answer as comparable data, without ids and write times. */
function assigned(result: AppendResult | null) {
  if (result === null) return null;
  const { message: m, conversation: c } = result;
  expect(m.conversationId).toBe(c.id);
  return {
    created: result.created,
    message: { seq: m.seq, authorKind: m.authorKind, authorId: m.authorId, authorName: m.authorName, body: m.body, system: m.system, clientId: m.clientId, files: m.attachments },
    conversation: { status: c.status, assignee: c.assignee, assignedAt: c.assignedAt, lastSeq: c.lastSeq, queuedAt: c.queuedAt },
  };
}

describe.each(paths)('starting and assigning through $name', ({ available, rowLocks, database: prepare, starts, assigns }) => {
  let database: Database;
  let startBatch: StartBatch;
  let assignBatch: AssignBatch;

  useMigratedDatabase(available, prepare, async (opened) => {
    database = opened;
    startBatch = starts(database);
    assignBatch = assigns(database);
    const { prisma } = database;
    await prisma.visitor.createMany({
      data: [
        { id: 'v1', siteId: 's1', name: 'Vera', email: 'vera@example.test', externalId: 'crm-1', emailVerified: true, attributes: {} },
        { id: 'v2', siteId: 's1', attributes: {} },
        { id: 'v3', siteId: 's1', name: 'Wu', attributes: {} },
      ],
    });
    await prisma.agent.createMany({
      data: [
        { id: 'a1', email: 'ada@acme.test', passwordHash: 'x', name: 'Ada', avatarUrl: '/ada.png' },
        { id: 'a2', email: 'bo@acme.test', passwordHash: 'x', name: 'Bo' },
      ],
    });
  });

  const storedRows = async (conversationIds: string[]) => ({
    conversations: (await database.prisma.conversation.findMany({ where: { id: { in: conversationIds } }, orderBy: { visitorId: 'asc' } })).map(
      ({ id: _id, createdAt: _c, updatedAt: _u, ...row }) => row,
    ),
    messages: (await database.prisma.message.findMany({ where: { conversationId: { in: conversationIds } }, orderBy: [{ authorId: 'asc' }, { seq: 'asc' }] })).map(
      ({ id: _id, conversationId: _c, createdAt: _t, ...row }) => row,
    ),
  });

  it.skipIf(!available)('starts each conversation queued with its first message as seq 1, and answers with its summary', async () => {
    const results = await startBatch([start('v1', 'hello'), start('v2', 'anyone?'), start('v3', 'hi')]);
    const queued = (visitorId: string) => ({
      id: 'id', siteId: 's1', visitorId, status: 'queued', assignee: null, queuedAt: queuedAt.toISOString(), assignedAt: null, firstResponseAt: null,
      resolvedAt: null, lastSeq: 1, visitorReadSeq: 0, agentReadSeq: 0, rating: null, ratingComment: null,
    });
    const line = (visitorId: string, body: string, authorName: string | null) =>
      ({ seq: 1, authorKind: 'visitor', authorId: visitorId, authorName, body, clientId: `${visitorId}:${body}`, files: [] });
    expect(results.map(started)).toEqual([
      { created: true, message: line('v1', 'hello', 'Vera'), conversation: queued('v1'), labels: [],
        visitor: { id: 'v1', name: 'Vera', email: 'vera@example.test', verified: true, nameVerified: false, emailVerified: true } },
      { created: true, message: line('v2', 'anyone?', null), conversation: queued('v2'), labels: [],
        visitor: { id: 'v2', name: null, email: null, verified: false, nameVerified: false, emailVerified: false } },
      { created: true, message: line('v3', 'hi', 'Wu'), conversation: queued('v3'), labels: [],
        visitor: { id: 'v3', name: 'Wu', email: null, verified: false, nameVerified: false, emailVerified: false } },
    ]);
    const stored = await storedRows(results.map((r) => r.conversation.id));
    expect(stored.conversations).toEqual(['v1', 'v2', 'v3'].map((visitorId, i) => ({
      siteId: 's1', visitorId, status: 'queued', assigneeId: null, queuedAt, assignedAt: null, firstResponseAt: null, resolvedAt: null,
      openingClientId: results[i]!.message.clientId, lastSeq: 1, visitorReadSeq: 0, agentReadSeq: 0, rating: null, ratingComment: null,
    })));
    expect(stored.messages).toEqual(results.map(({ message: m }) => ({ seq: 1, authorKind: 'visitor', authorId: m.authorId, body: m.body, clientId: m.clientId })));
  });

  it.skipIf(!available)('refuses a whole batch, storing none of it, when one first message was stored already or its visitor is unknown', async () => {
    await startBatch([start('v1', 'only once')]);
    const before = await database.prisma.conversation.count();
    const repeat = await startBatch([start('v2', 'fine'), start('v1', 'only once')]).catch((error: unknown) => error);
    expect(isUniqueViolation(repeat)).toBe(true);
    await expect(startBatch([start('v2', 'fine too'), start('nobody', 'hello')])).rejects.toThrow();
    expect(await database.prisma.conversation.count()).toBe(before);
  });

  it.skipIf(!available)('starts a conversation whose first message has files, linked to it', async () => {
    const file = newId();
    await database.prisma.attachment.create({
      data: { id: file, siteId: 's1', uploaderKind: 'visitor', uploaderId: 'v3', fileName: 'photo.txt', contentType: 'text/plain', size: 1, data: new Uint8Array([1]) },
    });
    const [result] = await startBatch([start('v3', 'look', [file])]);
    expect(started(result!).message).toEqual({ seq: 1, authorKind: 'visitor', authorId: 'v3', authorName: 'Wu', body: 'look', clientId: 'v3:look', files: [`photo.txt /files/${file}`] });
    expect(await database.prisma.attachment.findUnique({ where: { id: file }, select: { conversationId: true } })).toEqual({ conversationId: result!.conversation.id });
  });

  /** A conversation of visitor v1 in `status`, its first line stored (lastSeq 1). */
  async function conversation(status: 'queued' | 'active' | 'resolved' = 'queued'): Promise<string> {
    const id = newId();
    await database.prisma.conversation.create({
      data: { id, siteId: 's1', visitorId: 'v1', status, queuedAt, lastSeq: 1, ...(status !== 'queued' && { assigneeId: 'a2' }) },
    });
    return id;
  }

  const assignment = (id: string, agentId: string, agentName: string): Assignment => ({ id, agentId, event: { type: 'assigned', agentId, agentName } });
  const at = new Date('2026-12-06T10:00:05.456Z');

  it.skipIf(!available)('assigns each queued conversation with its system line, and answers null for one no longer queued, writing nothing to it', async () => {
    const [one, active, two, resolved] = [await conversation(), await conversation('active'), await conversation(), await conversation('resolved')];
    const results = await assignBatch([assignment(one, 'a1', 'Ada'), assignment(active, 'a1', 'Ada'), assignment(two, 'a2', 'Bo'), assignment(resolved, 'a1', 'Ada')], at);
    const won = (agentId: string, agentName: string, assignee: unknown) => ({
      created: true,
      message: { seq: 2, authorKind: 'system', authorId: agentId, authorName: null, body: '', system: { type: 'assigned', agentId, agentName }, clientId: null, files: [] },
      conversation: { status: 'active', assignee, assignedAt: at.toISOString(), lastSeq: 2, queuedAt: queuedAt.toISOString() },
    });
    expect(results.map(assigned)).toEqual([
      won('a1', 'Ada', { id: 'a1', name: 'Ada', avatarUrl: '/ada.png' }),
      null,
      won('a2', 'Bo', { id: 'a2', name: 'Bo', avatarUrl: null }),
      null,
    ]);
    const rows = await database.prisma.conversation.findMany({ where: { id: { in: [one, active, two, resolved] } }, select: { id: true, status: true, assigneeId: true, assignedAt: true, lastSeq: true } });
    const byId = new Map(rows.map(({ id, ...row }) => [id, row]));
    expect([one, active, two, resolved].map((id) => byId.get(id))).toEqual([
      { status: 'active', assigneeId: 'a1', assignedAt: at, lastSeq: 2 },
      { status: 'active', assigneeId: 'a2', assignedAt: null, lastSeq: 1 },
      { status: 'active', assigneeId: 'a2', assignedAt: at, lastSeq: 2 },
      { status: 'resolved', assigneeId: 'a2', assignedAt: null, lastSeq: 1 },
    ]);
    const lines = await database.prisma.message.findMany({ where: { conversationId: { in: [one, active, two, resolved] } }, select: { conversationId: true, seq: true, authorKind: true, authorId: true } });
    expect(lines.sort((a, b) => [one, two].indexOf(a.conversationId) - [one, two].indexOf(b.conversationId))).toEqual([
      { conversationId: one, seq: 2, authorKind: 'system', authorId: 'a1' },
      { conversationId: two, seq: 2, authorKind: 'system', authorId: 'a2' },
    ]);
  });

  it.skipIf(!available || !rowLocks)('answers null for a conversation claimed while the assignment waited for its row', async () => {
    const [claimed, free] = [await conversation(), await conversation()];
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let claimedUncommitted!: () => void;
    const holding = new Promise<void>((resolve) => (claimedUncommitted = resolve));
    const claiming = database.prisma.$transaction(async (tx) => {
      await tx.conversation.update({ where: { id: claimed }, data: { status: 'active', assigneeId: 'a2', lastSeq: 2 } });
      claimedUncommitted();
      await committing;
    });
    await holding;
    const assigning = assignBatch([assignment(free, 'a1', 'Ada'), assignment(claimed, 'a1', 'Ada')], at);
    await until(async () => (await database.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)[0]!.n > 0);
    commit();
    await claiming;
    expect((await assigning).map((result) => result?.conversation.assignee?.name ?? null)).toEqual(['Ada', null]);
    expect(await database.prisma.conversation.findUnique({ where: { id: claimed }, select: { assigneeId: true, lastSeq: true } })).toEqual({ assigneeId: 'a2', lastSeq: 2 });
    expect(await database.prisma.message.count({ where: { conversationId: claimed } })).toBe(0);
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe.skipIf(!postgresAvailable)('the raw statements as PostgreSQL plans them once for every batch', () => {
  let database: Database;
  useMigratedDatabase(postgresAvailable, throwawayDatabase, async (opened) => void (database = opened));

  // A plan that scans a table, or joins by filtering every pair of rows, grows with the tables or with the batch
  // squared: a shift of 750 coming online took 360 ms to assign so, 26 ms reached by key.
  it.each([
    ['starts', START_BATCH, `ARRAY['c1'], ARRAY['s1'], ARRAY['v1'], ARRAY[now()], ARRAY['m1'], ARRAY['visitor'], ARRAY['v1'], ARRAY['hi'], ARRAY['k1'], now()`],
    ['assignments', ASSIGN_BATCH, `ARRAY['c1'], ARRAY['a1'], ARRAY['m1'], ARRAY['a1'], ARRAY['{}'], now(), now()`],
  ])('%s: every row reached by its key, no join by filter', async (_name, statement, values) => {
    const nodes = await preparedPlan(rawPool(database), statement, values);
    const reads = nodes.filter((node) => node['Relation Name'] && node['Node Type'] !== 'ModifyTable');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.map((node) => `${node['Node Type']} ${node['Relation Name']} ${node['Index Name']}`)).toEqual(
      reads.map((node) => `Index Scan ${node['Relation Name']} ${node['Relation Name']}_pkey`),
    );
    expect(nodes.filter((node) => node['Join Filter'])).toEqual([]);
  });
});
