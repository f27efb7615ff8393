/**
 * Every write path for sends gives the same answers: Prisma's on SQLite and on PostgreSQL, the raw one on SQLite's
 * writer thread, and the raw one-statement batches on PostgreSQL. Each case runs through each path, against the real database with the migrations applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewMessage, SendGuard } from '../../../server/app/ports.ts';
import { newId } from '../../../server/app/ids.ts';
import type { Database } from '../../../server/db/client.ts';
import type { Append, Outcome, WriteBatch } from '../../../server/db/group-commit.ts';
import { pgBatches } from '../../../server/db/pg-appends.ts';
import { prismaBatches } from '../../../server/db/prisma-appends.ts';
import { sqliteBatches } from '../../../server/db/sqlite-batches.ts';
import { useMigratedDatabase } from '../../support/migrated-database.ts';
import { explained } from '../../support/query-plans.ts';
import { postgresAvailable, throwawayDatabase } from '../../support/postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-appends-'));
const attachmentUrl = (id: string) => `/files/${id}`;

interface WritePath {
  name: string;
  available: boolean;
  /** Other connections' transactions can hold a conversation's row lock while a batch is written. */
  rowLocks?: boolean;
  /** The prepared statement the path writes batches with, on its own connection. */
  preparedStatement?: string;
  /** The database URL, migrated, and what to drop afterwards. */
  database(): Promise<{ url: string; drop(): Promise<void> }>;
  batches(database: Database): WriteBatch;
}

const sqliteFile = (name: string) => async () => ({ url: `file:${join(dir, `${name}.db`)}`, drop: async () => {} });
const viaPrisma = (database: Database) => prismaBatches(database.prisma, newId, attachmentUrl);

const paths: WritePath[] = [
  { name: 'Prisma on SQLite', available: true, database: sqliteFile('prisma'), batches: viaPrisma },
  {
    name: 'raw SQLite on the writer thread',
    available: true,
    database: sqliteFile('raw'),
    batches(database) {
      if (database.provider !== 'sqlite') throw new Error('the writer thread needs SQLite');
      return sqliteBatches(database.sqliteWriter, newId, attachmentUrl);
    },
  },
  {
    name: 'Prisma on PostgreSQL',
    available: postgresAvailable,
    rowLocks: true,
    database: throwawayDatabase,
    batches: viaPrisma,
  },
  {
    name: 'raw pg statements on PostgreSQL',
    available: postgresAvailable,
    rowLocks: true,
    preparedStatement: 'parley-append-batch',
    database: throwawayDatabase,
    batches(database) {
      if (database.provider !== 'postgresql') throw new Error('the raw pg path needs PostgreSQL');
      return pgBatches(database.rawPool, database.prisma, newId, attachmentUrl);
    },
  },
];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const visitorSays = (body: string, clientId: string | null = body, attachmentIds?: string[]): NewMessage =>
  ({ authorKind: 'visitor', authorId: 'v1', body, clientId, ...(attachmentIds && { attachmentIds }) });

/** An outcome as comparable data: what was stored (or refused), without ids and times. */
function summary(outcome: Outcome) {
  if (outcome.status === 'rejected') {
    const { name, code, message } = outcome.reason as { name: string; code: string; message: string };
    return { rejected: { name, code, message } };
  }
  const result = outcome.value;
  if (result === null) return null;
  const { message: m, conversation: c } = result;
  return {
    created: result.created,
    message: { seq: m.seq, authorName: m.authorName, body: m.body, clientId: m.clientId, files: m.attachments.map((a) => `${a.fileName} ${a.url}`) },
    conversation: { lastSeq: c.lastSeq, status: c.status, assignee: c.assignee?.name ?? null },
  };
}

describe.each(paths)('appending through $name', ({ available, rowLocks, preparedStatement, database: prepare, batches }) => {
  let database: Database;
  let write: WriteBatch;

  useMigratedDatabase(available, prepare, async (opened) => {
    database = opened;
    write = batches(database);
    const { prisma } = database;
    await prisma.visitor.createMany({ data: [{ id: 'v1', siteId: 's1', name: 'Vera', attributes: {} }, { id: 'v2', siteId: 's1', attributes: {} }] });
    await prisma.agent.create({ data: { id: 'a1', email: 'ada@acme.test', passwordHash: 'x', name: 'Ada' } });
  });

  /** A new conversation of visitor v1, assigned to agent a1 unless queued. */
  async function conversation(status: 'queued' | 'active' | 'resolved' = 'active'): Promise<string> {
    const id = newId();
    await database.prisma.conversation.create({
      data: { id, siteId: 's1', visitorId: 'v1', status, queuedAt: new Date(), ...(status !== 'queued' && { assigneeId: 'a1' }) },
    });
    return id;
  }

  async function upload(uploaderId: string, fileName: string): Promise<string> {
    const id = newId();
    await database.prisma.attachment.create({
      data: { id, siteId: 's1', uploaderKind: 'visitor', uploaderId, fileName, contentType: 'text/plain', size: 1, data: new Uint8Array([1]) },
    });
    return id;
  }

  const batch = async (appends: Append[]) => (await write(appends, () => {})).map(summary);
  const storedCount = (conversationId: string) => database.prisma.message.count({ where: { conversationId } });

  it.skipIf(!available)('stores each message with the next sequence number, and answers with it and its conversation', async () => {
    const id = await conversation();
    expect(await batch([{ conversationId: id, message: visitorSays('hello'), guard: {} }, { conversationId: id, message: visitorSays('anyone?'), guard: {} }])).toEqual([
      { created: true, message: { seq: 1, authorName: 'Vera', body: 'hello', clientId: 'hello', files: [] }, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } },
      { created: true, message: { seq: 2, authorName: 'Vera', body: 'anyone?', clientId: 'anyone?', files: [] }, conversation: { lastSeq: 2, status: 'active', assignee: 'Ada' } },
    ]);
  });

  it.skipIf(!available)('stores a clientId once: a repeat, in the same batch or a later one, answers with the stored message', async () => {
    const id = await conversation();
    const [first, sameBatch] = await batch([
      { conversationId: id, message: visitorSays('hello', 'c1'), guard: {} },
      { conversationId: id, message: visitorSays('hello again', 'c1'), guard: {} },
    ]);
    const stored = { seq: 1, authorName: 'Vera', body: 'hello', clientId: 'c1', files: [] };
    expect(first).toEqual({ created: true, message: stored, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } });
    expect(sameBatch).toEqual({ created: false, message: stored, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } });
    const [later] = await batch([{ conversationId: id, message: visitorSays('hello', 'c1'), guard: { visitorId: 'v1', open: true } }]);
    expect(later).toEqual({ created: false, message: stored, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } });
    // The same clientId in another conversation is another message.
    const other = await conversation();
    expect((await batch([{ conversationId: other, message: visitorSays('hello', 'c1'), guard: {} }]))[0]).toMatchObject({ created: true });
    expect(await storedCount(id)).toBe(1);
  });

  it.skipIf(!available)('refuses (null) what the guard refuses, takes no sequence number, and stores nothing', async () => {
    const open = await conversation();
    const resolved = await conversation('resolved');
    const refusals: [string, SendGuard][] = [
      [open, { visitorId: 'v2' }],
      [open, { siteIds: ['s2'] }],
      [open, { assigneeId: 'a2' }],
      [resolved, { open: true }],
      ['no-such-conversation', {}],
    ];
    const sends = refusals.map(([conversationId, guard], i) => ({ conversationId, message: visitorSays(`refused ${i}`), guard }));
    const allowed = { conversationId: open, message: visitorSays('allowed'), guard: { visitorId: 'v1', siteIds: ['s1'], assigneeId: 'a1', open: true } };
    const outcomes = await batch([...sends, allowed]);
    expect(outcomes.slice(0, -1)).toEqual(refusals.map(() => null));
    expect(outcomes.at(-1)).toMatchObject({ created: true, message: { seq: 1, body: 'allowed' } }); // no number went to a refused send
    expect(await storedCount(open)).toBe(1);
    expect(await storedCount(resolved)).toBe(0);
  });

  it.skipIf(!available)('refuses (null) a retry of a stored message once the guard refuses the conversation', async () => {
    const id = await conversation();
    await batch([{ conversationId: id, message: visitorSays('hello', 'c1'), guard: {} }]);
    await database.prisma.conversation.update({ where: { id }, data: { status: 'resolved' } });
    expect(await batch([{ conversationId: id, message: visitorSays('hello', 'c1'), guard: { open: true } }])).toEqual([null]);
  });

  it.skipIf(!available)('fails a send with a foreign or already sent attachment alone, links nothing for it, and stores the rest', async () => {
    const id = await conversation();
    const foreign = await upload('v2', 'theirs.txt');
    const mine = await upload('v1', 'mine.txt');
    const sentBefore = await upload('v1', 'sent.txt');
    await batch([{ conversationId: id, message: visitorSays('first', 'c0', [sentBefore]), guard: {} }]);
    const refused = { rejected: { name: 'AppError', code: 'BAD_REQUEST', message: 'Unknown or already sent attachment' } };
    expect(await batch([
      { conversationId: id, message: visitorSays('before'), guard: {} },
      { conversationId: id, message: visitorSays('foreign', 'c1', [foreign]), guard: {} },
      { conversationId: id, message: visitorSays('sent already', 'c2', [sentBefore]), guard: {} },
      { conversationId: id, message: visitorSays('unknown', 'c3', ['no-such-file']), guard: {} },
      { conversationId: id, message: visitorSays('mine', 'c4', [mine, mine]), guard: {} },
    ])).toEqual([
      { created: true, message: { seq: 2, authorName: 'Vera', body: 'before', clientId: 'before', files: [] }, conversation: { lastSeq: 2, status: 'active', assignee: 'Ada' } },
      refused,
      refused,
      refused,
      { created: true, message: { seq: 3, authorName: 'Vera', body: 'mine', clientId: 'c4', files: [`mine.txt /files/${mine}`] }, conversation: { lastSeq: 3, status: 'active', assignee: 'Ada' } },
    ]);
    const files = await database.prisma.attachment.findMany({ where: { id: { in: [foreign, mine, sentBefore] } }, select: { fileName: true, conversationId: true } });
    expect(files.sort((a, b) => a.fileName.localeCompare(b.fileName))).toEqual([
      { fileName: 'mine.txt', conversationId: id },
      { fileName: 'sent.txt', conversationId: id },
      { fileName: 'theirs.txt', conversationId: null },
    ]);
    expect(await storedCount(id)).toBe(3);
  });

  it.skipIf(!available)('numbers each conversation on its own, and a clientId the guard refused is free for the next allowed send', async () => {
    const [one, two] = [await conversation(), await conversation()];
    expect(await batch([
      { conversationId: one, message: visitorSays('a', 'k'), guard: { visitorId: 'v2' } },
      { conversationId: two, message: visitorSays('b', 'k'), guard: {} },
      { conversationId: one, message: visitorSays('c', 'k'), guard: {} },
      { conversationId: one, message: visitorSays('d', 'k'), guard: { visitorId: 'v2' } },
      { conversationId: one, message: visitorSays('e', null), guard: {} },
      { conversationId: two, message: visitorSays('f', null), guard: {} },
    ])).toEqual([
      null,
      { created: true, message: { seq: 1, authorName: 'Vera', body: 'b', clientId: 'k', files: [] }, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } },
      { created: true, message: { seq: 1, authorName: 'Vera', body: 'c', clientId: 'k', files: [] }, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } },
      null,
      { created: true, message: { seq: 2, authorName: 'Vera', body: 'e', clientId: null, files: [] }, conversation: { lastSeq: 2, status: 'active', assignee: 'Ada' } },
      { created: true, message: { seq: 2, authorName: 'Vera', body: 'f', clientId: null, files: [] }, conversation: { lastSeq: 2, status: 'active', assignee: 'Ada' } },
    ]);
  });

  it.skipIf(!available)('answers a retry of a message sent with files with the stored message and its files', async () => {
    const id = await conversation();
    const file = await upload('v1', 'photo.txt');
    await batch([{ conversationId: id, message: visitorSays('look', 'c1', [file]), guard: {} }]);
    expect(await batch([{ conversationId: id, message: visitorSays('look', 'c1'), guard: {} }])).toEqual([
      { created: false, message: { seq: 1, authorName: 'Vera', body: 'look', clientId: 'c1', files: [`photo.txt /files/${file}`] }, conversation: { lastSeq: 1, status: 'active', assignee: 'Ada' } },
    ]);
  });

  it.skipIf(!available || !preparedStatement)('plans its statement once, reading every table through an index even when the plan was made on small tables', async () => {
    // A plan costed while Message held a few rows read all of it for each batch as it grew. The tables here are as
    // small as a fresh install's: the plan made on them must still reach rows by key.
    const ids = await Promise.all(Array.from({ length: 10 }, () => conversation()));
    for (let round = 0; round < 8; round++) {
      await batch(Array.from({ length: 100 }, (_, i) => ({ conversationId: ids[i % ids.length]!, message: visitorSays(`round ${round} line ${i}`), guard: {} })));
    }
    if (database.provider !== 'postgresql') throw new Error('a prepared statement needs PostgreSQL');
    const { rawPool } = database;
    const { rows } = await rawPool.query<{ generic: number; custom: number }>(
      'SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1',
      [preparedStatement],
    );
    expect(rows).toEqual([{ generic: expect.any(Number), custom: 0 }]);
    expect(rows[0]!.generic).toBeGreaterThanOrEqual(8);
    const text = (values: (string | null)[]) => `ARRAY[${values.map((v) => (v === null ? 'NULL' : `'${v}'`)).join(', ')}]::text[]`;
    const nodes = await explained(
      rawPool,
      `EXECUTE "${preparedStatement}"(${text([ids[0]!])}, ${text([newId()])}, ${text(['visitor'])}, ${text(['v1'])},
        ${text(['hello'])}, ${text(['k1'])}, ${text(['v1'])}, ARRAY[NULL]::jsonb[], ARRAY[true], ${text([null])}, '${new Date().toISOString()}')`,
    );
    const scans = nodes.filter((node) => node['Relation Name']);
    expect(scans.map((node) => `${node['Node Type']} ${node['Relation Name']}`)).not.toContainEqual(expect.stringMatching(/^Seq Scan/));
    expect(new Set(scans.map((node) => node['Relation Name']))).toEqual(new Set(['Message', 'Conversation', 'Visitor', 'Agent', 'Attachment']));
  });

  it.skipIf(!available || !rowLocks)('refuses (null) a send to a conversation resolved while the send waited for its row', async () => {
    const id = await conversation();
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let resolvedUncommitted!: () => void;
    const holding = new Promise<void>((resolve) => (resolvedUncommitted = resolve));
    const resolving = database.prisma.$transaction(async (tx) => {
      await tx.conversation.update({ where: { id }, data: { status: 'resolved' } });
      resolvedUncommitted();
      await committing;
    });
    await holding;
    const sending = batch([{ conversationId: id, message: visitorSays('too late'), guard: { open: true } }]);
    // The send has read the conversation as still active, and waits for the row the resolution holds.
    await until(async () => (await database.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)[0]!.n > 0);
    commit();
    await resolving;
    expect(await sending).toEqual([null]);
    expect(await storedCount(id)).toBe(0);
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}
