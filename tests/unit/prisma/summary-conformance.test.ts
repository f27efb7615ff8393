/**
 * The raw summaries read on PostgreSQL (pg-summaries.ts) answers what Prisma's answers: the conversation with its
 * assignee, its visitor, its labels in order and its last visitor or agent line with the author's name and files,
 * passing over system lines and notes. Against the real database with the migrations applied.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConversationSummaryDTO } from '../../../server/contract/dto.ts';
import { pgSummaries, SUMMARIES_BY_ID } from '../../../server/db/pg-summaries.ts';
import { preparedPlan } from '../../support/query-plans.ts';
import { postgresAvailable } from '../../support/postgres.ts';
import { at, attachmentUrl, useRawReadDatabase } from '../../support/raw-read-database.ts';

describe.skipIf(!postgresAvailable)('conversation summaries read raw on PostgreSQL', () => {
  const fixture = useRawReadDatabase(async ({ prisma }) => {
    await prisma.visitor.createMany({
      data: [
        { id: 'v1', siteId: 's1', name: 'Vera', email: 'vera@example.test', externalId: 'crm-1', nameVerified: true, emailVerified: true, attributes: {} },
        { id: 'v2', siteId: 's1', attributes: {} },
      ],
    });
    await prisma.agent.createMany({
      data: [
        { id: 'a1', email: 'ada@acme.test', passwordHash: 'x', name: 'Ada', avatarUrl: '/ada.png' },
        { id: 'b1', email: 'bot@acme.test', passwordHash: 'x', name: 'Helper', role: 'bot' },
      ],
    });
    const conversation = (id: string, visitorId: string, extra: object = {}) => ({ id, siteId: 's1', visitorId, queuedAt: at(0), ...extra });
    await prisma.conversation.createMany({
      data: [
        // The agent answered with two files, then notes and system lines followed.
        conversation('c1', 'v1', { status: 'active', assigneeId: 'a1', assignedAt: at(1), firstResponseAt: at(2), lastSeq: 5, visitorReadSeq: 3, agentReadSeq: 1 }),
        // Only the visitor spoke; rated and resolved, with a bot as its last holder.
        conversation('c2', 'v2', { status: 'resolved', assigneeId: 'b1', assignedAt: at(1), resolvedAt: at(3), lastSeq: 2, rating: 4, ratingComment: 'quick' }),
        // Nothing said by a person yet.
        conversation('c3', 'v2', { lastSeq: 1 }),
        // The visitor, who has a name, spoke last.
        conversation('c4', 'v1', { lastSeq: 1 }),
      ],
    });
    const line = (conversationId: string, seq: number, authorKind: 'visitor' | 'agent' | 'system' | 'note', authorId: string | null, body: string) =>
      ({ id: `${conversationId}-m${seq}`, conversationId, seq, authorKind, authorId, body, clientId: authorKind === 'visitor' ? `k${seq}` : null, createdAt: at(seq) });
    await prisma.message.createMany({
      data: [
        line('c1', 1, 'visitor', 'v1', 'Where is my order?'),
        line('c1', 2, 'system', 'a1', '{"type":"assigned","agentId":"a1","agentName":"Ada"}'),
        line('c1', 3, 'agent', 'a1', 'Here is the receipt'),
        line('c1', 4, 'note', 'a1', 'VIP'),
        line('c1', 5, 'system', 'a1', '{"type":"transferred"}'),
        line('c2', 1, 'visitor', 'v2', 'Thanks'),
        line('c2', 2, 'system', 'b1', '{"type":"resolved"}'),
        line('c3', 1, 'system', null, '{"type":"queued"}'),
        line('c4', 1, 'visitor', 'v1', 'Hello again'),
      ],
    });
    const file = (id: string, minute: number) =>
      ({ id, siteId: 's1', conversationId: 'c1', messageId: 'c1-m3', uploaderKind: 'agent' as const, uploaderId: 'a1', fileName: `${id}.png`, contentType: 'image/png', size: 3, data: Buffer.from('png'), createdAt: at(minute) });
    await prisma.attachment.createMany({ data: [file('f-late', 9), file('f-early', 8)] });
    await prisma.conversationLabel.createMany({ data: ['vip', 'billing', 'refund'].map((label) => ({ conversationId: 'c1', label })) });
  });

  const raw = (ids: string[]) => pgSummaries(fixture.database().rawPool, attachmentUrl)(ids);
  const byId = (summaries: ConversationSummaryDTO[]) => Object.fromEntries(summaries.map((s) => [s.id, s]));

  it('answers what Prisma answers, for every kind of conversation', async () => {
    const viaPrisma = await fixture.store().conversations.list({ statuses: ['queued', 'active', 'resolved'], siteIds: 'all', limit: 10 });
    expect(viaPrisma).toHaveLength(4);
    const answered = byId(await raw(['c1', 'c2', 'c3', 'c4']));
    expect(answered).toEqual(byId(viaPrisma));
    // What the comparison rests on, so that two paths wrong alike would still fail here.
    expect(answered.c1).toMatchObject({
      assignee: { id: 'a1', name: 'Ada', avatarUrl: '/ada.png' },
      visitor: { name: 'Vera', verified: true, nameVerified: true },
      labels: ['billing', 'refund', 'vip'],
      lastMessage: { seq: 3, authorKind: 'agent', authorName: 'Ada', body: 'Here is the receipt', createdAt: at(3).toISOString() },
    });
    expect(answered.c1!.lastMessage!.attachments.map((a) => `${a.fileName} ${a.url} ${a.image}`)).toEqual(['f-early.png /files/f-early true', 'f-late.png /files/f-late true']);
    expect(answered.c2).toMatchObject({ assignee: { name: 'Helper', bot: true }, rating: 4, lastMessage: { seq: 1, authorName: null, attachments: [] }, labels: [] });
    expect(answered.c3!.lastMessage).toBeNull();
    expect(answered.c4!.lastMessage).toMatchObject({ authorKind: 'visitor', authorName: 'Vera', clientId: 'k1' });
  });

  it('leaves out ids with no conversation, and answers an id asked twice', async () => {
    expect((await raw(['c3', 'missing', 'c3'])).map((s) => s.id)).toEqual(['c3', 'c3']);
  });

  it('is what the store reads a summary by id with', async () => {
    const queries = vi.spyOn(fixture.database().rawPool, 'query');
    try {
      expect(await fixture.store().conversations.summary('c1')).toEqual((await raw(['c1']))[0]);
      expect(await fixture.store().conversations.summary('missing')).toBeNull();
      const names = queries.mock.calls.map(([query]) => (query as unknown as { name?: string }).name);
      expect(names).toEqual(['parley-summaries-by-id', 'parley-summaries-by-id', 'parley-summaries-by-id']);
    } finally {
      queries.mockRestore();
    }
  });

  // Planned once for every batch (force_generic_plan on the raw pool): a scan would grow with the tables.
  it('reaches every row through an index, with no join by filter', async () => {
    const nodes = await preparedPlan(fixture.database().rawPool, SUMMARIES_BY_ID, `ARRAY['c1', 'c2']`);
    const reads = nodes.filter((node) => node['Relation Name']);
    expect(new Set(reads.map((node) => node['Relation Name']))).toEqual(new Set(['Conversation', 'Visitor', 'Agent', 'Message', 'ConversationLabel', 'Attachment']));
    expect(reads.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name'])).toEqual([]);
    expect(nodes.filter((node) => node['Join Filter'])).toEqual([]);
  });
});
