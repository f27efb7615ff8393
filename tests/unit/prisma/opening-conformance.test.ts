/**
 * The raw reads a first message waits for on PostgreSQL (pg-openings.ts) answer what Prisma's answer
 * (opening-reads.ts): each visitor's newest open conversation with its assignee, and a visitor's stored message by
 * clientId with its author's name, its files and its conversation. Against the real database with the migrations applied.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AppendResult } from '../../../server/app/ports.ts';
import { prismaOpeningReads, type OpeningReads } from '../../../server/db/opening-reads.ts';
import { OPEN_BY_VISITOR, pgOpeningReads, VISITOR_MESSAGES_BY_CLIENT_ID } from '../../../server/db/pg-openings.ts';
import { preparedPlan } from '../../support/query-plans.ts';
import { postgresAvailable } from '../../support/postgres.ts';
import { at, attachmentUrl, useRawReadDatabase } from '../../support/raw-read-database.ts';

describe.skipIf(!postgresAvailable)('the reads before a first message, raw on PostgreSQL', () => {
  const fixture = useRawReadDatabase(async ({ prisma }) => {
    await prisma.visitor.createMany({
      data: ['v1', 'v2', 'v3'].map((id) => ({ id, siteId: 's1', name: id === 'v1' ? 'Vera' : null, attributes: {} })),
    });
    await prisma.agent.createMany({
      data: [
        { id: 'a1', email: 'ada@acme.test', passwordHash: 'x', name: 'Ada', avatarUrl: '/ada.png' },
        { id: 'b1', email: 'bot@acme.test', passwordHash: 'x', name: 'Helper', role: 'bot' },
      ],
    });
    const conversation = (id: string, visitorId: string, minute: number, extra: object = {}) => ({ id, siteId: 's1', visitorId, queuedAt: at(minute), createdAt: at(minute), ...extra });
    await prisma.conversation.createMany({
      data: [
        // v1: a resolved one, then an active one held by Ada, then a queued one (the newest open).
        conversation('c1', 'v1', 1, { status: 'resolved', resolvedAt: at(2), lastSeq: 1 }),
        conversation('c2', 'v1', 3, { status: 'active', assigneeId: 'a1', assignedAt: at(4), lastSeq: 3, visitorReadSeq: 2 }),
        conversation('c3', 'v1', 5, { lastSeq: 1 }),
        // v2: only a resolved one, rated.
        conversation('c4', 'v2', 1, { status: 'resolved', assigneeId: 'b1', assignedAt: at(2), resolvedAt: at(3), lastSeq: 1, rating: 5 }),
        // v3: one held by a bot.
        conversation('c5', 'v3', 1, { status: 'active', assigneeId: 'b1', assignedAt: at(2), lastSeq: 2 }),
      ],
    });
    const line = (conversationId: string, seq: number, authorKind: 'visitor' | 'agent', authorId: string, clientId: string) =>
      ({ id: `${conversationId}-m${seq}`, conversationId, seq, authorKind, authorId, body: `line ${seq}`, clientId, createdAt: at(seq) });
    await prisma.message.createMany({
      data: [
        line('c1', 1, 'visitor', 'v1', 'k-old'),
        line('c2', 1, 'visitor', 'v1', 'k1'),
        line('c2', 2, 'agent', 'a1', 'k-agent'),
        line('c2', 3, 'visitor', 'v1', 'k3'),
        line('c3', 1, 'visitor', 'v1', 'k-new'),
        line('c4', 1, 'visitor', 'v2', 'k1'),
        line('c5', 1, 'visitor', 'v3', 'k5'),
        line('c5', 2, 'agent', 'b1', 'k-bot'),
      ],
    });
    const file = (id: string, minute: number) =>
      ({ id, siteId: 's1', conversationId: 'c2', messageId: 'c2-m3', uploaderKind: 'visitor' as const, uploaderId: 'v1', fileName: `${id}.pdf`, contentType: 'application/pdf', size: 3, data: Buffer.from('pdf'), createdAt: at(minute) });
    await prisma.attachment.createMany({ data: [file('f-late', 9), file('f-early', 8)] });
  });

  const raw = () => pgOpeningReads(fixture.database().rawPool, attachmentUrl);
  const viaPrisma = () => prismaOpeningReads(fixture.database().prisma, attachmentUrl);
  const byVisitor = async (reads: OpeningReads, visitorIds: string[]) => Object.fromEntries((await reads.openByVisitor(visitorIds)).map((c) => [c.visitorId, c]));
  const byPair = async (reads: OpeningReads, pairs: [string, string][]) => {
    const asked = new Set(pairs.map(([visitorId, clientId]) => `${visitorId} ${clientId}`));
    // Prisma's read filters each column apart and may answer pairs nobody asked for: the store keys them away.
    const keyed = (r: AppendResult) => [`${r.conversation.visitorId} ${r.message.clientId}`, r] as const;
    return Object.fromEntries((await reads.visitorMessagesByClientId(pairs)).map(keyed).filter(([key]) => asked.has(key)));
  };

  it("answers each visitor's newest open conversation as Prisma does", async () => {
    const visitors = ['v1', 'v2', 'v3', 'nobody'];
    const answered = await byVisitor(raw(), visitors);
    expect(answered).toEqual(await byVisitor(viaPrisma(), visitors));
    // What the comparison rests on, so that two paths wrong alike would still fail here.
    expect(Object.keys(answered).sort()).toEqual(['v1', 'v3']);
    expect(answered.v1).toMatchObject({ id: 'c3', status: 'queued', assignee: null, lastSeq: 1 });
    expect(answered.v3).toMatchObject({ id: 'c5', status: 'active', assignee: { id: 'b1', name: 'Helper', bot: true }, assignedAt: at(2).toISOString() });
  });

  it("answers a visitor's stored message by clientId as Prisma does, and no one else's", async () => {
    const pairs: [string, string][] = [['v1', 'k3'], ['v2', 'k1'], ['v1', 'k-agent'], ['v3', 'k1'], ['v1', 'k-old'], ['v3', 'missing']];
    const answered = await byPair(raw(), pairs);
    expect(answered).toEqual(await byPair(viaPrisma(), pairs));
    expect(Object.keys(answered).sort()).toEqual(['v1 k-old', 'v1 k3', 'v2 k1']);
    expect(answered['v1 k3']).toMatchObject({
      created: false,
      message: { id: 'c2-m3', seq: 3, authorKind: 'visitor', authorName: 'Vera', body: 'line 3', createdAt: at(3).toISOString() },
      conversation: { id: 'c2', status: 'active', assignee: { id: 'a1', name: 'Ada', avatarUrl: '/ada.png' }, lastSeq: 3, visitorReadSeq: 2 },
    });
    expect(answered['v1 k3']!.message.attachments.map((a) => `${a.fileName} ${a.url} ${a.image}`)).toEqual(['f-early.pdf /files/f-early false', 'f-late.pdf /files/f-late false']);
    expect(answered['v2 k1']).toMatchObject({ message: { authorName: null, attachments: [] }, conversation: { id: 'c4', status: 'resolved', rating: 5 } });
  });

  it('is what the store reads them with', async () => {
    const queries = vi.spyOn(fixture.database().rawPool, 'query');
    try {
      expect(await fixture.store().conversations.findRetryOrOpen('v3', 'k-new', true)).toEqual({ open: (await byVisitor(raw(), ['v3'])).v3 });
      expect(await fixture.store().conversations.findRetryOrOpen('v1', 'k3', true)).toEqual({ retry: (await byPair(raw(), [['v1', 'k3']]))['v1 k3'] });
      expect(await fixture.store().conversations.findRetryOrOpen('v2', 'k-new', true)).toBeNull();
      const names = new Set(queries.mock.calls.map(([query]) => (query as unknown as { name?: string }).name));
      expect(names).toEqual(new Set(['parley-open-by-visitor', 'parley-visitor-messages-by-client-id']));
    } finally {
      queries.mockRestore();
    }
  });

  // Planned once for every batch (force_generic_plan on the raw pool): a scan would grow with the tables.
  it('reaches every row through an index', async () => {
    for (const [statement, args, tables] of [
      [OPEN_BY_VISITOR, `ARRAY['v1', 'v2']`, ['Conversation', 'Agent']],
      [VISITOR_MESSAGES_BY_CLIENT_ID, `ARRAY['v1', 'v2'], ARRAY['k1', 'k3']`, ['Conversation', 'Message', 'Visitor', 'Agent', 'Attachment']],
    ] as const) {
      const reads = (await preparedPlan(fixture.database().rawPool, statement, args)).filter((node) => node['Relation Name']);
      expect(new Set(reads.map((node) => node['Relation Name']))).toEqual(new Set(tables));
      expect(reads.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name'])).toEqual([]);
    }
  });
});
