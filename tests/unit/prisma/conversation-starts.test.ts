/**
 * Conversations started in the same round of I/O are written together (one transaction), and assignments of one
 * routing decision with one statement per agent; both give the same answers as one at a time: on SQLite and on
 * PostgreSQL, against the real database with the migrations applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewMessage, Store } from '../../../server/app/ports.ts';
import { newId } from '../../../server/app/ids.ts';
import type { Database } from '../../../server/db/client.ts';
import { createStore } from '../../../server/db/store.ts';
import { useMigratedDatabase } from '../../support/migrated-database.ts';
import { postgresAvailable, throwawayDatabase } from '../../support/postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-starts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const databases = [
  { name: 'SQLite', available: true, prepare: async () => ({ url: `file:${join(dir, 'starts.db')}`, drop: async () => {} }) },
  {
    name: 'PostgreSQL',
    available: postgresAvailable,
    prepare: throwawayDatabase,
  },
];

const says = (visitorId: string, body: string, clientId = body, attachmentIds?: string[]): NewMessage =>
  ({ authorKind: 'visitor', authorId: visitorId, body, clientId, ...(attachmentIds && { attachmentIds }) });

describe.each(databases)('starting conversations on $name', ({ available, prepare }) => {
  let database: Database;
  let store: Store;
  const visitors = ['v1', 'v2', 'v3'];

  useMigratedDatabase(available, prepare, async (opened) => {
    database = opened;
    store = createStore(database, newId, { attachmentUrl: (id) => `/files/${id}` });
    await database.prisma.visitor.createMany({ data: visitors.map((id) => ({ id, siteId: 's1', name: `Name ${id}`, attributes: {} })) });
    await database.prisma.agent.createMany({ data: ['a1', 'a2'].map((id) => ({ id, email: `${id}@acme.test`, passwordHash: 'x', name: `Agent ${id}` })) });
  });

  const start = (visitorId: string, first: NewMessage, queuedAt = new Date()) => store.conversations.start({ siteId: 's1', visitorId, queuedAt, first });

  it.skipIf(!available)('starts many in one turn, each a queued conversation with its first message as seq 1, answered with its summary', async () => {
    const queuedAt = new Date(Date.now() - 1234);
    const results = await Promise.all(visitors.map((v) => start(v, says(v, `hello from ${v}`), queuedAt)));
    expect(results.map((r) => ({ created: r.created, visitor: r.conversation.visitorId, status: r.conversation.status, lastSeq: r.conversation.lastSeq, seq: r.message.seq, body: r.message.body, author: r.message.authorName })))
      .toEqual(visitors.map((v) => ({ created: true, visitor: v, status: 'queued', lastSeq: 1, seq: 1, body: `hello from ${v}`, author: `Name ${v}` })));
    expect(new Set(results.map((r) => r.conversation.id)).size).toBe(3);
    // Written raw: Prisma reads the dates back as it would have stored them, to the millisecond.
    const rows = await database.prisma.conversation.findMany({ where: { id: { in: results.map((r) => r.conversation.id) } }, include: { messages: true } });
    for (const row of rows) {
      expect(row.queuedAt.toISOString()).toBe(queuedAt.toISOString());
      expect(Math.abs(row.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(row.messages.map((m) => m.createdAt.toISOString())).toEqual([row.createdAt.toISOString()]);
    }
    const summaries = await Promise.all(results.map((r) => store.conversations.summary(r.conversation.id)));
    expect(summaries.map((s) => [s?.id, s?.lastMessage?.body])).toEqual(results.map((r) => [r.conversation.id, r.message.body]));
    // The summary a start answers (what agents' lists are told) is the one read afterwards.
    expect(results.map((r) => r.created && r.summary)).toEqual(summaries);
  });

  it.skipIf(!available)('a first message sent twice in one turn is one conversation, and the others in the batch still start', async () => {
    const [a, b, c] = await Promise.all([start('v1', says('v1', 'twice', 'dup-1')), start('v1', says('v1', 'twice', 'dup-1')), start('v2', says('v2', 'alone', 'one-2'))]);
    expect(a!.conversation.id).toBe(b!.conversation.id);
    expect([a!.created, b!.created].sort()).toEqual([false, true]);
    expect(c!.created).toBe(true);
    expect(await database.prisma.conversation.count({ where: { openingClientId: { in: ['dup-1', 'one-2'] } } })).toBe(2);
  });

  it.skipIf(!available)('a foreign attachment fails its own start only', async () => {
    const file = newId();
    await database.prisma.attachment.create({
      data: { id: file, siteId: 's1', uploaderKind: 'visitor', uploaderId: 'v2', fileName: 'f.txt', contentType: 'text/plain', size: 1, data: new Uint8Array([1]) },
    });
    const [bad, good] = await Promise.allSettled([start('v1', says('v1', 'with a file', 'file-1', [file])), start('v3', says('v3', 'plain', 'plain-3'))]);
    expect(bad.status === 'rejected' && (bad.reason as { code?: string }).code).toBe('BAD_REQUEST');
    expect(good.status === 'fulfilled' && good.value.created).toBe(true);
    expect(await database.prisma.conversation.count({ where: { openingClientId: 'file-1' } })).toBe(0);
  });

  const assigned = (agentId: string) => ({ id: '', agentId, event: { type: 'assigned' as const, agentId, agentName: `Agent ${agentId}` } });

  it.skipIf(!available)('assigns many conversations to several agents in one write, each with its system line as the next seq', async () => {
    const started = await Promise.all(visitors.map((v, i) => start(v, says(v, 'help', `assign-${i}`))));
    const at = new Date();
    const results = await store.conversations.assignMany(started.map((s, i) => ({ ...assigned(i === 2 ? 'a2' : 'a1'), id: s.conversation.id })), at);
    expect(results.map((r) => r && { status: r.conversation.status, assignee: r.conversation.assignee?.name, lastSeq: r.conversation.lastSeq, seq: r.message.seq, kind: r.message.authorKind, system: r.message.system }))
      .toEqual(['a1', 'a1', 'a2'].map((a) => ({ status: 'active', assignee: `Agent ${a}`, lastSeq: 2, seq: 2, kind: 'system', system: { type: 'assigned', agentId: a, agentName: `Agent ${a}` } })));
    const rows = await database.prisma.conversation.findMany({ where: { id: { in: started.map((s) => s.conversation.id) } } });
    expect(rows.every((r) => r.assignedAt?.getTime() === at.getTime() && r.status === 'active')).toBe(true);
  });

  it.skipIf(!available)('an assignment whose conversation is no longer queued is null, and the others are still written', async () => {
    const [taken, free] = await Promise.all([start('v1', says('v1', 'one', 'race-1')), start('v2', says('v2', 'two', 'race-2'))]);
    await store.conversations.assign(taken!.conversation.id, 'a2', new Date(), assigned('a2').event);
    const results = await store.conversations.assignMany([{ ...assigned('a1'), id: taken!.conversation.id }, { ...assigned('a1'), id: free!.conversation.id }], new Date());
    expect(results[0]).toBeNull();
    expect(results[1]?.conversation.assignee?.name).toBe('Agent a1');
    const stillA2 = await store.conversations.findById(taken!.conversation.id);
    expect([stillA2?.assignee?.name, stillA2?.lastSeq]).toEqual(['Agent a2', 2]);
    expect(await database.prisma.message.count({ where: { conversationId: taken!.conversation.id } })).toBe(2);
  });
});
