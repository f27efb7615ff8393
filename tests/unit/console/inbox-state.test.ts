/** The console inbox's pure state transitions: merges, read marks, unread counts, views and tabs. */
import { describe, expect, it } from 'vitest';
import type { AgentDTO, ConversationSummaryDTO, MessageDTO } from '../../../server/contract/dto.ts';
import type { ConversationDetail } from '../../../server/contract/events.ts';
import {
  attentionCount, emptyThread, initialState, viewOf, withAgent, withConversation, withListed, withMessage, withoutTab, withReadMark,
  withSeen, withSynced, withTab, withTyping, withUnreadMessage, withVisitorChange, type InboxState,
} from '../../../console/inbox-state.ts';

const me: AgentDTO = {
  id: 'me', email: 'me@example.com', name: 'Me', role: 'agent', capacity: 3, status: 'online', connected: true, load: 0, active: true, avatarUrl: null,
};
const other = { id: 'other', name: 'Other', avatarUrl: null };

function conversation(id: string, patch: Partial<ConversationSummaryDTO> = {}): ConversationSummaryDTO {
  return {
    id, siteId: 's1', visitorId: `v-${id}`, status: 'queued', assignee: null, queuedAt: `2026-12-05T10:00:0${id.length}.000Z`, assignedAt: null,
    firstResponseAt: null, resolvedAt: null, lastSeq: 1, visitorReadSeq: 0, agentReadSeq: 0, rating: null, ratingComment: null,
    visitor: { id: `v-${id}`, name: null, email: null, verified: false, nameVerified: false, emailVerified: false }, lastMessage: null, labels: [],
    ...patch,
  };
}

function message(conversationId: string, seq: number, authorKind: MessageDTO['authorKind'] = 'visitor'): MessageDTO {
  return {
    id: `${conversationId}-${seq}`, conversationId, seq, authorKind, authorId: authorKind === 'agent' ? 'me' : null, authorName: null,
    body: `m${seq}`, system: null, clientId: null, attachments: [], createdAt: `2026-12-05T10:01:${String(seq).padStart(2, '0')}.000Z`,
  };
}

const withAll = (...list: ConversationSummaryDTO[]): InboxState => list.reduce(withConversation, initialState(me, []));
const mine = (id: string, patch: Partial<ConversationSummaryDTO> = {}) => conversation(id, { status: 'active', assignee: { id: 'me', name: 'Me', avatarUrl: null }, ...patch });

describe('merging conversation updates', () => {
  it('keeps what the reduced ConversationAssignment shape does not carry, and ignores it for an unknown conversation', () => {
    const known = withAll(conversation('c1', { labels: ['vip'] }));
    const left = { id: 'c1', siteId: 's1', status: 'active' as const, assignee: other, assignedAt: '2026-01-01T00:00:00.000Z', lastSeq: 2 };
    const after = withConversation(known, left).conversations.c1!;
    expect(after).toMatchObject({ status: 'active', assignee: other, lastSeq: 2, labels: ['vip'], visitor: { id: 'v-c1' } });
    expect(withConversation(initialState(me, []), { ...left, id: 'c9' })).toEqual(initialState(me, []));
  });

  it('drops an older snapshot, and keeps the highest read marks of a newer one', () => {
    const state = withReadMark(withAll(conversation('c1', { lastSeq: 5 })), { conversationId: 'c1', seq: 5, by: 'visitor' });
    expect(withConversation(state, conversation('c1', { lastSeq: 4, status: 'active' }))).toBe(state);
    const newer = withConversation(state, conversation('c1', { lastSeq: 6, visitorReadSeq: 3 })).conversations.c1!;
    expect(newer).toMatchObject({ lastSeq: 6, visitorReadSeq: 5 });
  });

  it('forgets unread messages of a conversation handed to someone else, unless it is open here', () => {
    const state = withUnreadMessage(withAll(mine('c1'), mine('c2')), 'c1');
    const opened = withUnreadMessage(withTab(state, 'c2'), 'c2');
    expect(withConversation(opened, mine('c1', { lastSeq: 2, assignee: other })).unread).toEqual({ c2: 1 });
    expect(withConversation(opened, mine('c2', { lastSeq: 2, assignee: other })).unread).toEqual({ c1: 1, c2: 1 });
  });

  it('puts a full summary into the open thread detail', () => {
    const detail = { conversation: conversation('c1'), visitor: {}, pages: [], previous: [] } as unknown as ConversationDetail;
    const state = withTab(withAll(conversation('c1')), 'c1');
    const loaded = { ...state, threads: { c1: { ...emptyThread(), detail } } };
    const updated = conversation('c1', { lastSeq: 2, labels: ['x'] });
    expect(withConversation(loaded, updated).threads.c1!.detail!.conversation).toEqual(updated);
  });
});

describe('messages, read marks and unread counts', () => {
  it('moves the preview on a spoken message only, and merges into an open transcript once', () => {
    const state = withTab(withAll(conversation('c1')), 'c1');
    const spoken = withMessage(state, message('c1', 2));
    expect(spoken.conversations.c1).toMatchObject({ lastSeq: 2, lastMessage: { seq: 2 } });
    const system = withMessage(spoken, message('c1', 3, 'system'));
    expect(system.conversations.c1).toMatchObject({ lastSeq: 3, lastMessage: { seq: 2 } });
    expect(withMessage(system, message('c1', 3, 'system')).threads.c1!.messages.map((m) => m.seq)).toEqual([2, 3]);
  });

  it('counts unread only in conversations assigned to this agent or open here', () => {
    const state = withAll(mine('c1'), conversation('c2'));
    expect(withUnreadMessage(withUnreadMessage(state, 'c1'), 'c1').unread).toEqual({ c1: 2 });
    expect(withUnreadMessage(state, 'c2')).toBe(state);
    expect(withUnreadMessage(withTab(state, 'c2'), 'c2').unread).toEqual({ c2: 1 });
  });

  it('clears unread when the agent side read everything elsewhere, not for a visitor read or a partial one', () => {
    const state = withUnreadMessage(withAll(mine('c1', { lastSeq: 4 })), 'c1');
    expect(withReadMark(state, { conversationId: 'c1', seq: 4, by: 'visitor' }).unread).toEqual({ c1: 1 });
    expect(withReadMark(state, { conversationId: 'c1', seq: 3, by: 'agent' }).unread).toEqual({ c1: 1 });
    const read = withReadMark(state, { conversationId: 'c1', seq: 4, by: 'agent' });
    expect(read.unread).toEqual({});
    expect(read.conversations.c1!.agentReadSeq).toBe(4);
    expect(withReadMark(read, { conversationId: 'c1', seq: 3, by: 'agent' })).toBe(read);
  });

  it('marks what is seen read, and says which seq to tell the server only when it moved', () => {
    let state = withTab(withUnreadMessage(withAll(mine('c1')), 'c1'), 'c1');
    state = withMessage(withMessage(state, message('c1', 2)), message('c1', 3));
    const seen = withSeen(state, 'c1');
    expect(seen.readSeq).toBe(3);
    expect(seen.state.unread).toEqual({});
    expect(seen.state.conversations.c1!.agentReadSeq).toBe(3);
    expect(withSeen(seen.state, 'c1').readSeq).toBeNull();
  });
});

describe('views', () => {
  const state = {
    ...withAll(
      conversation('q-late', { queuedAt: '2026-12-05T10:05:00.000Z' }),
      conversation('q-early', { queuedAt: '2026-12-05T10:01:00.000Z' }),
      mine('m-old', { assignedAt: '2026-12-05T10:02:00.000Z' }),
      mine('m-new', { assignedAt: '2026-12-05T10:01:30.000Z', lastMessage: { ...message('m-new', 1), createdAt: '2026-12-05T10:04:00.000Z' } }),
      conversation('theirs', { status: 'active', assignee: other, assignedAt: '2026-12-05T10:00:00.000Z' }),
      conversation('r-old', { status: 'resolved', resolvedAt: '2026-12-05T09:00:00.000Z' }),
      conversation('r-new', { status: 'resolved', resolvedAt: '2026-12-05T09:30:00.000Z' }),
    ),
  };
  const ids = (view: Parameters<typeof viewOf>[1]) => viewOf(state, view).map((c) => c.id);

  it('orders the queue by waiting longest, the rest by latest activity, resolved newest first', () => {
    expect(ids('queue')).toEqual(['q-early', 'q-late']);
    expect(ids('mine')).toEqual(['m-new', 'm-old']);
    expect(ids('all')).toEqual(['q-late', 'm-new', 'm-old', 'q-early', 'theirs']);
    expect(ids('resolved')).toEqual(['r-new', 'r-old']);
  });

  it('counts queued conversations and unread ones once each, not resolved ones', () => {
    const unread = { ...state, unread: { 'q-early': 1, 'm-old': 2, 'r-new': 1 } };
    expect(attentionCount(unread)).toBe(3);
  });

  it('after a reconnect keeps resolved and open conversations, replaces the rest, and marks unanswered ones unread', () => {
    const open = withTab(state, 'theirs');
    const fresh = mine('m-new', { lastSeq: 3, agentReadSeq: 1, lastMessage: message('m-new', 3) });
    const synced = withSynced(open, [conversation('q-early')], [fresh], []);
    expect(Object.keys(synced.conversations).sort()).toEqual(['m-new', 'q-early', 'r-new', 'r-old', 'theirs']);
    expect(synced.unread).toEqual({ 'm-new': 1 });
  });

  it('offers the All view when the list is not empty, and keeps the newer of two copies', () => {
    const listed = withListed(state, 'all', [conversation('q-late', { lastSeq: 0, status: 'active' }), conversation('x')]);
    expect(listed.canSeeAll).toBe(true);
    expect(listed.conversations['q-late']!.status).toBe('queued');
    expect(withListed(state, 'all', []).canSeeAll).toBe(false);
  });
});

describe('tabs, typing, agents and visitors', () => {
  it('closing the selected tab selects its neighbour', () => {
    const state = { ...['a', 'b', 'c'].reduce(withTab, withAll(conversation('a'), conversation('b'), conversation('c'))), selectedId: 'b' };
    expect(withoutTab(state, 'b')).toMatchObject({ tabs: ['a', 'c'], selectedId: 'c' });
    expect(withoutTab({ ...state, selectedId: 'c' }, 'c')).toMatchObject({ tabs: ['a', 'b'], selectedId: 'b' });
    expect(Object.keys(withoutTab(state, 'a').threads)).toEqual(['b', 'c']);
  });

  it('shows the visitor typing with the preview, and other agents by name', () => {
    const state = withTab(withAll(conversation('c1')), 'c1');
    const typing = withTyping(withTyping(state, { conversationId: 'c1', typing: true, preview: 'hel' }), { conversationId: 'c1', typing: true, name: 'Ann' });
    expect(typing.threads.c1).toMatchObject({ visitorTyping: { preview: 'hel' }, agentsTyping: ['Ann'] });
    expect(withTyping(typing, { conversationId: 'c1', typing: false, name: 'Ann' }).threads.c1!.agentsTyping).toEqual([]);
    expect(withTyping(state, { conversationId: 'closed', typing: true })).toBe(state);
  });

  it('updates a colleague, and `me` when the update is mine', () => {
    const colleague = { ...me, id: 'other', email: undefined, load: 1 };
    const state = withAgent(withAgent(initialState(me, []), colleague), { ...colleague, load: 2 });
    expect(state.agents).toEqual([{ ...colleague, load: 2 }]);
    expect(withAgent(state, { ...me, status: 'away' }).me.status).toBe('away');
  });

  it('applies a visitor change to the lists and adds a new page to an open trail', () => {
    const state = withTab(withAll(conversation('c1')), 'c1');
    const visitor = { id: 'v-c1', pageUrl: 'https://a.test/' } as ConversationDetail['visitor'];
    const loaded = { ...state, threads: { c1: { ...emptyThread(), detail: { conversation: conversation('c1'), visitor, pages: [] } as unknown as ConversationDetail } } };
    const changed = withVisitorChange(loaded, { id: 'v-c1', siteId: 's1', name: 'Ada', pageUrl: 'https://a.test/b', pageTitle: 'B' }, 'now');
    expect(changed.conversations.c1!.visitor.name).toBe('Ada');
    expect(changed.threads.c1!.detail!.pages).toEqual([{ url: 'https://a.test/b', title: 'B', at: 'now' }]);
    expect(withVisitorChange(loaded, { id: 'someone-else', siteId: 's1', name: 'Bo' }, 'now')).toBe(loaded);
  });
});
