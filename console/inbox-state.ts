/**
 * The console inbox's state and its transitions, pure: each takes the state and what happened and returns
 * the next state (the same object when nothing changed). Requests, timers and the outbox stay in Inbox.
 */
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO, TeamMemberDTO, VisitorChange } from '../server/contract/dto.ts';
import type { ErrorCode } from '../server/contract/errors.ts';
import type { EmailDTO } from '../server/contract/email.ts';
import type { ConversationAssignment, ConversationDetail, ConversationView, ReadEvent, TypingEvent } from '../server/contract/events.ts';
import type { Connection } from '../client/live-session.ts';
import { lastSeq, mergeMessages } from '../client/messages.ts';
import type { Pending, Unsent } from '../client/outbox.ts';
import { applyVisitorChange, applyVisitorSummaryChange } from './visitor-change.ts';

/** A reply or note the agent wrote, kept in the agent's outbox until the server stored it. */
export interface UnsentReply extends Unsent {
  conversationId: string;
  note: boolean;
  attachmentIds: string[];
}

export type OutgoingReply = Pending<UnsentReply>;

/** A conversation open in a tab. */
export interface Thread {
  messages: MessageDTO[];
  /** Older messages exist before the first one held. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Visitor, pages visited and earlier conversations; null until loaded. */
  detail: ConversationDetail | null;
  /** The visitor is typing (with the draft when the site shares it). */
  visitorTyping: { preview: string | null } | null;
  /** Other agents typing in this conversation, by name. */
  agentsTyping: string[];
}

export type Failure = ErrorCode | 'TIMEOUT';

export interface InboxState {
  connection: Connection;
  me: AgentDTO;
  /** Every conversation the agent has seen, by id; the views filter it. */
  conversations: Record<string, ConversationSummaryDTO>;
  view: ConversationView;
  /** Whether the All view is offered: admins always, agents when a site of theirs allows it. */
  canSeeAll: boolean;
  /** Conversations open in tabs, in tab order. */
  tabs: string[];
  selectedId: string | null;
  threads: Record<string, Thread>;
  /** Visitor messages not yet seen, per conversation. */
  unread: Record<string, number>;
  /** Written but not stored yet, in every conversation, also from before a reload; sent in order once connected. */
  outgoing: readonly OutgoingReply[];
  /** The last command the server refused, until the next one. */
  failure: Failure | null;
  search: { query: string; results: ConversationSummaryDTO[] | null; busy: boolean };
  agents: TeamMemberDTO[];
}

/** The pages of a visitor's trail kept in a thread's detail. */
const PAGES_KEPT = 50;

export function initialState(me: AgentDTO, outgoing: readonly OutgoingReply[]): InboxState {
  return {
    connection: 'connecting',
    me,
    conversations: {},
    view: 'queue',
    canSeeAll: me.role === 'admin',
    tabs: [],
    selectedId: null,
    threads: {},
    unread: {},
    outgoing,
    failure: null,
    search: { query: '', results: null, busy: false },
    agents: [],
  };
}

export const emptyThread = (): Thread => ({ messages: [], hasOlder: false, loadingOlder: false, detail: null, visitorTyping: null, agentsTyping: [] });

const activity = (c: ConversationSummaryDTO): string => c.lastMessage?.createdAt ?? c.assignedAt ?? c.queuedAt;
const byActivity = (a: ConversationSummaryDTO, b: ConversationSummaryDTO) => activity(b).localeCompare(activity(a));

/** The conversations of one view, in that view's order. */
export function viewOf(state: InboxState, view: ConversationView): ConversationSummaryDTO[] {
  const all = Object.values(state.conversations);
  switch (view) {
    case 'queue': // waiting longest first
      return all.filter((c) => c.status === 'queued').sort((a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.id.localeCompare(b.id));
    case 'mine':
      return all.filter((c) => c.status === 'active' && c.assignee?.id === state.me.id).sort(byActivity);
    case 'all':
      return all.filter((c) => c.status !== 'resolved').sort(byActivity);
    case 'resolved':
      return all.filter((c) => c.status === 'resolved').sort((a, b) => (b.resolvedAt ?? '').localeCompare(a.resolvedAt ?? ''));
  }
}

/** Conversations needing attention: waiting in the queue, or with visitor messages not yet seen. */
export function attentionCount(state: InboxState): number {
  const unread = Object.keys(state.unread).filter((id) => (state.unread[id] ?? 0) > 0 && state.conversations[id]?.status !== 'resolved');
  const queued = viewOf(state, 'queue').filter((c) => !unread.includes(c.id));
  return unread.length + queued.length;
}

/** Assigned to this agent or open in a tab here: its visitor messages count as unread and alert. */
export function isFollowed(state: InboxState, conversationId: string): boolean {
  return state.conversations[conversationId]?.assignee?.id === state.me.id || state.tabs.includes(conversationId);
}

function withoutUnread(state: InboxState, conversationId: string): InboxState {
  if (!state.unread[conversationId]) return state;
  const { [conversationId]: _read, ...unread } = state.unread;
  return { ...state, unread };
}

/** Merges a conversation into the views; a command's answer carries no visitor, last message or labels. */
export function withConversation(state: InboxState, conversation: ConversationDTO | ConversationSummaryDTO | ConversationAssignment): InboxState {
  const known = state.conversations[conversation.id];
  if (!known && !('visitor' in conversation)) return state;
  // Every change adds a message (a system line at least), so a lower lastSeq is an older snapshot.
  if (known && conversation.lastSeq < known.lastSeq) return state;
  const merged = { ...known, ...conversation } as ConversationSummaryDTO;
  // Keep the highest read marks: a read event can overtake the snapshot that predates it.
  if (known) {
    merged.visitorReadSeq = Math.max(known.visitorReadSeq, merged.visitorReadSeq);
    merged.agentReadSeq = Math.max(known.agentReadSeq, merged.agentReadSeq);
  }
  let next: InboxState = { ...state, conversations: { ...state.conversations, [conversation.id]: merged } };
  // Handed to someone else (and not open here): no longer this agent's to read.
  if (!isFollowed(next, conversation.id)) next = withoutUnread(next, conversation.id);
  const thread = state.threads[conversation.id];
  if (thread?.detail && 'visitor' in conversation) {
    next = { ...next, threads: { ...state.threads, [conversation.id]: { ...thread, detail: { ...thread.detail, conversation } } } };
  }
  return next;
}

/** Updates the conversation's preview, and the transcript when it is open. */
export function withMessage(state: InboxState, message: MessageDTO): InboxState {
  const { conversations, threads } = state;
  let next = state;
  const summary = conversations[message.conversationId];
  if (summary && message.seq > summary.lastSeq) {
    const spoken = message.authorKind === 'visitor' || message.authorKind === 'agent';
    const updated = { ...summary, lastSeq: message.seq, ...(spoken ? { lastMessage: message } : {}) };
    next = { ...next, conversations: { ...conversations, [summary.id]: updated } };
  }
  const thread = threads[message.conversationId];
  if (thread) next = withThread(next, message.conversationId, { messages: mergeMessages(thread.messages, [message]) });
  return next;
}

/** A visitor message the agent does not see now: one more unread, if the conversation is followed here. */
export function withUnreadMessage(state: InboxState, conversationId: string): InboxState {
  if (!isFollowed(state, conversationId)) return state;
  return { ...state, unread: { ...state.unread, [conversationId]: (state.unread[conversationId] ?? 0) + 1 } };
}

/** A `typing` event in an open thread: from the visitor (no name), or from another agent. */
export function withTyping(state: InboxState, event: TypingEvent): InboxState {
  const thread = state.threads[event.conversationId];
  if (!thread) return state;
  if (!event.name) return withThread(state, event.conversationId, { visitorTyping: event.typing ? { preview: event.preview || null } : null });
  const others = thread.agentsTyping.filter((n) => n !== event.name);
  return withThread(state, event.conversationId, { agentsTyping: event.typing ? [...others, event.name] : others });
}

/** A `conversation:read` event: the mark moves up; the agent side reading it all clears unread here too. */
export function withReadMark(state: InboxState, { conversationId, seq, by }: ReadEvent): InboxState {
  const conversation = state.conversations[conversationId];
  if (!conversation) return state;
  const field = by === 'visitor' ? 'visitorReadSeq' : 'agentReadSeq';
  if (conversation[field] >= seq) return state;
  const next = { ...state, conversations: { ...state.conversations, [conversationId]: { ...conversation, [field]: seq } } };
  // Another console of mine (or a colleague) read it: no longer unread here either.
  return by === 'agent' && seq >= conversation.lastSeq ? withoutUnread(next, conversationId) : next;
}

/**
 * The conversation is on screen: nothing of it is unread, and its read mark moves to the last message held.
 * `readSeq` is the mark to tell the server (which tells the visitor), null when it already has it.
 */
export function withSeen(state: InboxState, conversationId: string): { state: InboxState; readSeq: number | null } {
  const next = withoutUnread(state, conversationId);
  const conversation = next.conversations[conversationId];
  const seq = lastSeq(next.threads[conversationId]?.messages ?? []);
  if (!conversation || seq === 0 || conversation.agentReadSeq >= seq) return { state: next, readSeq: null };
  const conversations = { ...next.conversations, [conversationId]: { ...conversation, agentReadSeq: seq } };
  return { state: { ...next, conversations }, readSeq: seq };
}

/** An `email:updated` event: the email joins, or replaces itself in, its conversation's open thread. */
export function withEmail(state: InboxState, email: EmailDTO): InboxState {
  const thread = email.conversationId ? state.threads[email.conversationId] : undefined;
  if (!thread?.detail) return state;
  const others = thread.detail.emails.filter((e) => e.id !== email.id);
  const emails = [...others, email].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { ...state, threads: { ...state.threads, [email.conversationId!]: { ...thread, detail: { ...thread.detail, emails } } } };
}

/** A `visitor:updated` change, in the lists and in the open threads (a new page joins the trail at `now`). */
export function withVisitorChange(state: InboxState, change: VisitorChange, now: string): InboxState {
  const threads = { ...state.threads };
  let changed = false;
  for (const [id, thread] of Object.entries(threads)) {
    const detail = thread.detail;
    if (!detail || detail.visitor.id !== change.id) continue;
    const visitor = applyVisitorChange(detail.visitor, change);
    const moved = visitor.pageUrl && visitor.pageUrl !== detail.visitor.pageUrl;
    const pages = moved ? [{ url: visitor.pageUrl!, title: visitor.pageTitle, at: now }, ...detail.pages].slice(0, PAGES_KEPT) : detail.pages;
    threads[id] = { ...thread, detail: { ...detail, visitor, pages } };
    changed = true;
  }
  const conversations = { ...state.conversations };
  for (const c of Object.values(conversations)) {
    if (c.visitor.id === change.id) {
      conversations[c.id] = { ...c, visitor: applyVisitorSummaryChange(c.visitor, change) };
      changed = true;
    }
  }
  return changed ? { ...state, threads, conversations } : state;
}

/** After a (re)connect: the Queue and Mine lists replace what may have changed meanwhile. */
export function withSynced(state: InboxState, queue: ConversationSummaryDTO[], mine: ConversationSummaryDTO[], agents: TeamMemberDTO[]): InboxState {
  const conversations = { ...state.conversations };
  // Drop what may have changed while disconnected, except resolved ones and the open tabs.
  for (const [id, c] of Object.entries(conversations)) {
    if (c.status !== 'resolved' && !state.tabs.includes(id)) delete conversations[id];
  }
  for (const c of [...queue, ...mine]) conversations[c.id] = c;
  const unread = { ...state.unread };
  for (const c of mine) {
    if (c.lastMessage?.authorKind === 'visitor' && c.lastMessage.seq > c.agentReadSeq && !unread[c.id]) unread[c.id] = 1;
  }
  // `me` is left to agents:updated events: this snapshot may predate a status change made meanwhile.
  return { ...state, conversations, unread, agents };
}

/** The All or Resolved list loaded: newer than what is held replaces it; a non-empty All list offers that view. */
export function withListed(state: InboxState, view: 'all' | 'resolved', list: ConversationSummaryDTO[]): InboxState {
  const conversations = { ...state.conversations };
  for (const c of list) {
    const known = conversations[c.id];
    if (!known || known.lastSeq <= c.lastSeq) conversations[c.id] = c;
  }
  const canSeeAll = view === 'all' ? state.me.role === 'admin' || list.length > 0 || state.canSeeAll : state.canSeeAll;
  return { ...state, conversations, canSeeAll };
}

/** One agent of an `agents:updated` event: the team list, and `me` when it is this agent. */
export function withAgent(state: InboxState, agent: TeamMemberDTO): InboxState {
  const known = state.agents.some((a) => a.id === agent.id);
  const agents = known ? state.agents.map((a) => (a.id === agent.id ? agent : a)) : [...state.agents, agent];
  return { ...state, agents, ...(agent.id === state.me.id ? { me: { ...state.me, ...agent } } : {}) };
}

/** Opens a tab with an empty thread (the caller loads it); a conversation passed whole joins the lists if new. */
export function withTab(state: InboxState, conversation: ConversationSummaryDTO | string): InboxState {
  const id = typeof conversation === 'string' ? conversation : conversation.id;
  let next = state;
  if (typeof conversation !== 'string' && !state.conversations[id]) {
    next = { ...next, conversations: { ...next.conversations, [id]: conversation } };
  }
  if (next.tabs.includes(id)) return next;
  return { ...next, tabs: [...next.tabs, id], threads: { ...next.threads, [id]: emptyThread() } };
}

/** Closes a tab; closing the selected one selects its neighbour. */
export function withoutTab(state: InboxState, id: string): InboxState {
  const { tabs, selectedId, threads } = state;
  const index = tabs.indexOf(id);
  if (index < 0) return state;
  const rest = tabs.filter((t) => t !== id);
  const { [id]: _closed, ...openThreads } = threads;
  return { ...state, tabs: rest, threads: openThreads, selectedId: selectedId === id ? (rest[Math.min(index, rest.length - 1)] ?? null) : selectedId };
}

export function withThread(state: InboxState, id: string, patch: Partial<Thread>): InboxState {
  const thread = state.threads[id];
  return thread ? { ...state, threads: { ...state.threads, [id]: { ...thread, ...patch } } } : state;
}
