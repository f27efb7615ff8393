/**
 * The agent's live inbox, independent of the view: one socket to /agent; every conversation the agent
 * can see, kept current by events (the Queue, Mine, All and Resolved views are filters over it); the
 * conversations open in tabs with their transcripts, visitor context, typing state and unread counts;
 * search; the team's agents with their load. The view subscribes to immutable snapshots of the state.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  AgentDTO,
  AgentStatus,
  CannedResponseDTO,
  ConversationDTO,
  ConversationSummaryDTO,
  MessageDTO,
  TeamMemberDTO,
  VisitorChange,
  VisitorDTO,
} from '../server/contract/dto.ts';
import type { ErrorCode } from '../server/contract/errors.ts';
import type {
  AgentClientToServer,
  AgentServerToClient,
  ConversationDetail,
  ConversationLeftQueue,
  ConversationView,
  ReadEvent,
  TypingEvent,
} from '../server/contract/events.ts';
import { newClientId } from '../client/client-id.ts';
import { CatchUpPoint, lastSeq, mergeMessages } from '../client/messages.ts';
import { HandshakeRetry } from '../client/handshake-retry.ts';
import { reconnectWhenSessionEnds } from '../client/session-end.ts';
import { browserStorage, Outbox, type Pending, type Unsent } from '../client/outbox.ts';
import { AckError, isUnauthorized, requester, type Requester } from '../client/request.ts';
import type { AgentAuth } from './auth.ts';
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
  /** `unavailable`: the server refused even a freshly refreshed token. */
  connection: 'connecting' | 'online' | 'reconnecting' | 'unavailable';
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

export type Alert =
  | { kind: 'queued'; conversation: ConversationSummaryDTO }
  | { kind: 'message'; conversation: ConversationSummaryDTO; message: MessageDTO };

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

const emptyThread = (): Thread => ({ messages: [], hasOlder: false, loadingOlder: false, detail: null, visitorTyping: null, agentsTyping: [] });

/** How long a typing indicator lasts without a refresh. */
const TYPING_TTL_MS = 8000;
/** While the agent types, "typing" is re-sent this often; silence for TYPING_IDLE_MS sends "stopped". */
const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;
/** A conversation queued and assigned within this time never alerted anyone. */
const QUEUED_ALERT_DELAY_MS = 1200;
const PAGE = 50;

type Listener = (state: InboxState) => void;

export class Inbox {
  #state: InboxState;
  readonly #listeners = new Set<Listener>();
  readonly #socket: Socket<AgentServerToClient, AgentClientToServer>;
  readonly #request: Requester<AgentClientToServer>;
  readonly #auth: AgentAuth;
  readonly #catchUp = new Map<string, CatchUpPoint>();
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #myTyping = new Map<string, { sentAt: number; idle: ReturnType<typeof setTimeout> }>();
  readonly #canned = new Map<string, Promise<CannedResponseDTO[]>>();
  readonly #outbox: Outbox<UnsentReply>;
  readonly #handshakeRetry: HandshakeRetry;
  #refreshedForRefusal = false;
  #visible = typeof document === 'undefined' || document.visibilityState === 'visible';
  #searchSeq = 0;
  onAlert: ((alert: Alert) => void) | null = null;

  constructor(auth: AgentAuth, me: AgentDTO) {
    this.#auth = auth;
    this.#outbox = new Outbox<UnsentReply>({
      storage: browserStorage(),
      key: `parley:outbox:agent:${me.id}`,
      owner: me.id,
      deliver: (reply) => this.#deliver(reply),
      onChange: (outgoing) => this.#update({ outgoing }),
    });
    this.#state = {
      connection: 'connecting',
      me,
      conversations: {},
      view: 'queue',
      canSeeAll: me.role === 'admin',
      tabs: [],
      selectedId: null,
      threads: {},
      unread: {},
      outgoing: this.#outbox.pending,
      failure: null,
      search: { query: '', results: null, busy: false },
      agents: [],
    };
    // The function form of `auth` is read on every (re)connect, so reconnects use the latest token.
    this.#socket = io('/agent', { transports: ['websocket'], auth: (send) => send({ token: auth.session?.accessToken }) });
    this.#request = requester(this.#socket);
    this.#handshakeRetry = new HandshakeRetry(this.#socket);
    reconnectWhenSessionEnds(this.#socket);
    this.#listen();
  }

  get state(): InboxState {
    return this.#state;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    for (const timer of this.#typingTimers.values()) clearTimeout(timer);
    for (const typing of this.#myTyping.values()) clearTimeout(typing.idle);
    this.#outbox.offline();
    this.#handshakeRetry.reset();
    this.#socket.disconnect();
  }

  /** The page became visible or hidden: what is on screen counts as read only while visible. */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible && this.#state.selectedId) this.#seen(this.#state.selectedId);
  }

  // --- views and search --------------------------------------------------------------------------

  setView(view: ConversationView): void {
    this.#update({ view });
    if (view === 'resolved' || view === 'all') void this.#attempt(() => this.#loadView(view));
  }

  async search(query: string): Promise<void> {
    const trimmed = query.trim();
    const seq = ++this.#searchSeq;
    if (!trimmed) return this.#update({ search: { query: '', results: null, busy: false } });
    this.#update({ search: { query: trimmed, results: this.#state.search.results, busy: true } });
    try {
      const results = await this.#request('conversation:search', { query: trimmed, limit: 50 });
      if (seq === this.#searchSeq) this.#update({ search: { query: trimmed, results, busy: false } });
    } catch (error) {
      if (seq === this.#searchSeq) this.#update({ search: { query: trimmed, results: [], busy: false }, failure: failureOf(error) });
    }
  }

  // --- tabs --------------------------------------------------------------------------------------

  /** Opens the conversation in a tab (or switches to its tab) and shows it. */
  open(conversation: ConversationSummaryDTO | string): void {
    const id = typeof conversation === 'string' ? conversation : conversation.id;
    if (typeof conversation !== 'string' && !this.#state.conversations[id]) {
      this.#update({ conversations: { ...this.#state.conversations, [id]: conversation } });
    }
    const { tabs, threads } = this.#state;
    if (tabs.includes(id)) return this.select(id);
    this.#catchUp.set(id, new CatchUpPoint());
    this.#update({ tabs: [...tabs, id], threads: { ...threads, [id]: emptyThread() } });
    this.select(id);
    void this.#attempt(() => this.#loadThread(id));
  }

  select(id: string | null): void {
    if (id !== null && !this.#state.tabs.includes(id)) return this.open(id);
    this.#update({ selectedId: id, failure: null });
    if (id) this.#seen(id);
  }

  closeTab(id: string): void {
    const { tabs, selectedId, threads } = this.#state;
    const index = tabs.indexOf(id);
    if (index < 0) return;
    const rest = tabs.filter((t) => t !== id);
    const { [id]: _closed, ...openThreads } = threads;
    this.#catchUp.delete(id);
    this.typing(id, false);
    this.#update({
      tabs: rest,
      threads: openThreads,
      selectedId: selectedId === id ? (rest[Math.min(index, rest.length - 1)] ?? null) : selectedId,
    });
  }

  async loadOlder(id: string): Promise<void> {
    const thread = this.#state.threads[id];
    if (!thread || thread.loadingOlder || !thread.hasOlder) return;
    this.#patchThread(id, { loadingOlder: true });
    try {
      const page = await this.#request('history:get', { conversationId: id, beforeSeq: thread.messages[0]?.seq ?? 1, limit: PAGE });
      const current = this.#state.threads[id];
      if (current) this.#patchThread(id, { messages: mergeMessages(current.messages, page.messages), hasOlder: page.hasMore, loadingOlder: false });
    } catch (error) {
      this.#patchThread(id, { loadingOlder: false });
      this.#update({ failure: failureOf(error) });
    }
  }

  // --- commands ----------------------------------------------------------------------------------

  claim(id: string): Promise<void> {
    return this.#attempt(async () => {
      this.#upsert(await this.#request('conversation:claim', { conversationId: id }));
      this.open(id);
    });
  }

  /** Claims the conversation waiting longest. */
  async claimNext(): Promise<void> {
    const next = viewOf(this.#state, 'queue')[0];
    if (next) await this.claim(next.id);
  }

  resolve(id: string): Promise<void> {
    this.typing(id, false);
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:resolve', { conversationId: id })));
  }

  reopen(id: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:reopen', { conversationId: id })));
  }

  unassign(id: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:unassign', { conversationId: id })));
  }

  transfer(id: string, agentId: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:transfer', { conversationId: id, agentId })));
  }

  setLabels(id: string, labels: string[]): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:setLabels', { conversationId: id, labels })));
  }

  setStatus(status: Exclude<AgentStatus, 'offline'>): Promise<void> {
    return this.#attempt(async () => this.#update({ me: await this.#request('agent:setStatus', { status }) }));
  }

  /** The team, with presence and load, for transfers; kept live by agent:updated afterwards. */
  loadAgents(): Promise<void> {
    return this.#attempt(async () => this.#update({ agents: await this.#request('agents:list', {}) }));
  }

  /** Canned responses for a site (global ones included), fetched once per site. */
  canned(siteId: string): Promise<CannedResponseDTO[]> {
    let list = this.#canned.get(siteId);
    if (!list) {
      list = this.#request('canned:list', { siteId });
      list.catch(() => this.#canned.delete(siteId));
      this.#canned.set(siteId, list);
    }
    return list;
  }

  /** Canned responses change rarely; an admin who edits them drops the cache. */
  forgetCanned(): void {
    this.#canned.clear();
  }

  reply(conversationId: string, body: string, options: { note?: boolean; attachmentIds?: string[] } = {}): void {
    const note = options.note ?? false;
    if (!note) this.typing(conversationId, false);
    this.#outbox.add({ conversationId, clientId: newClientId(), body, note, attachmentIds: options.attachmentIds ?? [], createdAt: Date.now() });
  }

  /** Sends a failed reply again with the same client id, so the server can't store it twice. */
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  /** The agent's own typing, told to the visitor: repeated while it goes on, "stopped" after a pause. */
  typing(conversationId: string, typing: boolean): void {
    const current = this.#myTyping.get(conversationId);
    const send = (value: boolean) => void this.#request('typing', { conversationId, typing: value }).catch(() => undefined);
    if (!typing) {
      if (!current) return;
      clearTimeout(current.idle);
      this.#myTyping.delete(conversationId);
      send(false);
      return;
    }
    const now = Date.now();
    if (current) clearTimeout(current.idle);
    const idle = setTimeout(() => this.typing(conversationId, false), TYPING_IDLE_MS);
    if (!current || now - current.sentAt >= TYPING_REPEAT_MS) {
      send(true);
      this.#myTyping.set(conversationId, { sentAt: now, idle });
    } else this.#myTyping.set(conversationId, { sentAt: current.sentAt, idle });
  }

  /** Uploads a file for the conversation; resolves with the attachment id to send. */
  async upload(conversationId: string, file: File): Promise<string> {
    const send = (token: string | undefined) =>
      fetch('/api/attachments', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token ?? ''}`,
          'content-type': file.type || 'application/octet-stream',
          'x-file-name': encodeURIComponent(file.name),
          'x-conversation-id': conversationId,
        },
        body: file,
      });
    let response = await send(this.#auth.session?.accessToken);
    if (response.status === 401) response = await send((await this.#auth.refresh())?.accessToken);
    const body = (await response.json().catch(() => null)) as { id?: string; error?: { code: ErrorCode } } | null;
    if (!response.ok || !body?.id) throw new AckError({ code: body?.error?.code ?? 'INTERNAL', message: 'upload failed' });
    return body.id;
  }

  // --- events ------------------------------------------------------------------------------------

  #listen(): void {
    const socket = this.#socket;
    socket.on('connect', () => {
      this.#refreshedForRefusal = false;
      this.#handshakeRetry.reset();
      this.#update({ connection: 'online' });
      void this.#sync();
      this.#outbox.online();
    });
    socket.on('disconnect', () => {
      this.#outbox.offline();
      for (const point of this.#catchUp.values()) point.disconnected();
      this.#update({ connection: 'reconnecting' });
    });
    socket.on('connect_error', async (error) => {
      // Socket.IO retries network errors by itself; an inactive socket means the server refused us.
      if (socket.active) return;
      if (this.#handshakeRetry.retryIfTransient(error)) return this.#update({ connection: 'reconnecting' });
      if (!isUnauthorized(error) || this.#refreshedForRefusal) return this.#update({ connection: 'unavailable' });
      this.#refreshedForRefusal = true;
      if (await this.#auth.refresh()) socket.connect(); // else signed out: the app drops this inbox
    });
    socket.on('conversation:updated', (conversation) => this.#upsert(conversation));
    socket.on('messages:new', (messages) => messages.forEach((message) => this.#receive(message)));
    socket.on('agent:updated', (agent) => {
      const agents = this.#state.agents.some((a) => a.id === agent.id)
        ? this.#state.agents.map((a) => (a.id === agent.id ? agent : a))
        : [...this.#state.agents, agent];
      this.#update({ agents, ...(agent.id === this.#state.me.id ? { me: { ...this.#state.me, ...agent } } : {}) });
    });
    socket.on('typing', (event) => this.#typingEvent(event));
    socket.on('conversation:read', (event) => this.#readEvent(event));
    socket.on('visitor:updated', (visitor) => this.#visitorUpdated(visitor));
  }

  /** A message of a live messages:new event. */
  #receive(message: MessageDTO): void {
    const { conversationId } = message;
    // A conversation never seen (a visitor's first message): fetch how it stands.
    if (!this.#state.conversations[conversationId]) void this.#discover(conversationId);
    this.#catchUp.get(conversationId)?.received(message);
    this.#merge(message);
    if (message.authorKind !== 'visitor') return;
    this.#clearVisitorTyping(conversationId);
    const conversation = this.#state.conversations[conversationId];
    const onScreen = this.#state.selectedId === conversationId && this.#visible;
    if (onScreen) this.#seen(conversationId);
    else {
      const mine = conversation?.assignee?.id === this.#state.me.id || this.#state.tabs.includes(conversationId);
      if (mine) this.#update({ unread: { ...this.#state.unread, [conversationId]: (this.#state.unread[conversationId] ?? 0) + 1 } });
    }
    if (conversation && !onScreen && (conversation.assignee?.id === this.#state.me.id || this.#state.tabs.includes(conversationId))) {
      this.onAlert?.({ kind: 'message', conversation, message });
    }
  }

  /** Updates the conversation's preview, and the transcript when it is open. */
  #merge(message: MessageDTO): void {
    // My reply's answer, or its live event (also when another tab of mine sent it): stored either way.
    if (message.clientId && message.authorId === this.#state.me.id) this.#outbox.delivered(message.clientId);
    const { conversations, threads } = this.#state;
    const summary = conversations[message.conversationId];
    const patch: Partial<InboxState> = {};
    if (summary && message.seq > summary.lastSeq) {
      const spoken = message.authorKind === 'visitor' || message.authorKind === 'agent';
      patch.conversations = {
        ...conversations,
        [summary.id]: { ...summary, lastSeq: message.seq, ...(spoken ? { lastMessage: message } : {}) },
      };
    }
    const thread = threads[message.conversationId];
    if (thread) patch.threads = { ...threads, [message.conversationId]: { ...thread, messages: mergeMessages(thread.messages, [message]) } };
    this.#update(patch);
  }

  readonly #discovering = new Set<string>();

  async #discover(conversationId: string): Promise<void> {
    if (this.#discovering.has(conversationId)) return;
    this.#discovering.add(conversationId);
    try {
      this.#upsert((await this.#request('conversation:get', { conversationId })).conversation);
    } catch {
      // Not ours to see (another site), or gone: nothing to show.
    } finally {
      this.#discovering.delete(conversationId);
    }
  }

  #typingEvent(event: TypingEvent): void {
    const thread = this.#state.threads[event.conversationId];
    if (!thread) return;
    const key = `${event.conversationId}:${event.name ?? ''}`;
    clearTimeout(this.#typingTimers.get(key));
    const fromVisitor = !event.name;
    if (fromVisitor) {
      this.#patchThread(event.conversationId, { visitorTyping: event.typing ? { preview: event.preview || null } : null });
    } else {
      const others = thread.agentsTyping.filter((n) => n !== event.name);
      this.#patchThread(event.conversationId, { agentsTyping: event.typing ? [...others, event.name!] : others });
    }
    if (event.typing) {
      this.#typingTimers.set(key, setTimeout(() => this.#typingEvent({ ...event, typing: false }), TYPING_TTL_MS));
    }
  }

  #clearVisitorTyping(conversationId: string): void {
    if (this.#state.threads[conversationId]?.visitorTyping) this.#patchThread(conversationId, { visitorTyping: null });
  }

  #readEvent({ conversationId, seq, by }: ReadEvent): void {
    const conversation = this.#state.conversations[conversationId];
    if (!conversation) return;
    const field = by === 'visitor' ? 'visitorReadSeq' : 'agentReadSeq';
    if (conversation[field] >= seq) return;
    this.#update({ conversations: { ...this.#state.conversations, [conversationId]: { ...conversation, [field]: seq } } });
    // Another console of mine (or a colleague) read it: no longer unread here either.
    if (by === 'agent' && seq >= conversation.lastSeq && this.#state.unread[conversationId]) {
      const { [conversationId]: _read, ...unread } = this.#state.unread;
      this.#update({ unread });
    }
  }

  #visitorUpdated(change: VisitorChange): void {
    const threads = { ...this.#state.threads };
    let changed = false;
    for (const [id, thread] of Object.entries(threads)) {
      const detail = thread.detail;
      if (!detail || detail.visitor.id !== change.id) continue;
      const visitor = applyVisitorChange(detail.visitor, change);
      const moved = visitor.pageUrl && visitor.pageUrl !== detail.visitor.pageUrl;
      const pages = moved ? [{ url: visitor.pageUrl!, title: visitor.pageTitle, at: new Date().toISOString() }, ...detail.pages].slice(0, 50) : detail.pages;
      threads[id] = { ...thread, detail: { ...detail, visitor, pages } };
      changed = true;
    }
    const conversations = { ...this.#state.conversations };
    for (const c of Object.values(conversations)) {
      if (c.visitor.id === change.id) {
        conversations[c.id] = { ...c, visitor: applyVisitorSummaryChange(c.visitor, change) };
        changed = true;
      }
    }
    if (changed) this.#update({ threads, conversations });
  }

  /** Marks what is on screen read, locally and on the server (which tells the visitor). */
  #seen(id: string): void {
    if (!this.#visible) return;
    if (this.#state.unread[id]) {
      const { [id]: _seen, ...unread } = this.#state.unread;
      this.#update({ unread });
    }
    const conversation = this.#state.conversations[id];
    const seq = lastSeq(this.#state.threads[id]?.messages ?? []);
    if (!conversation || seq === 0 || conversation.agentReadSeq >= seq) return;
    this.#update({ conversations: { ...this.#state.conversations, [id]: { ...conversation, agentReadSeq: seq } } });
    void this.#request('conversation:read', { conversationId: id, seq }).catch(() => undefined);
  }

  // --- loading -----------------------------------------------------------------------------------

  /** On every (re)connect: reload the views, and fetch what each open transcript missed. */
  async #sync(): Promise<void> {
    await this.#attempt(async () => {
      const [queue, mine, agents] = await Promise.all([
        this.#request('conversation:list', { view: 'queue' }),
        this.#request('conversation:list', { view: 'mine' }),
        this.#request('agents:list', {}),
      ]);
      const fresh = [...queue, ...mine];
      const conversations = { ...this.#state.conversations };
      // Drop what may have changed while disconnected, except resolved ones and the open tabs.
      for (const [id, c] of Object.entries(conversations)) {
        if (c.status !== 'resolved' && !this.#state.tabs.includes(id)) delete conversations[id];
      }
      for (const c of fresh) conversations[c.id] = c;
      const unread = { ...this.#state.unread };
      for (const c of mine) {
        if (c.lastMessage?.authorKind === 'visitor' && c.lastMessage.seq > c.agentReadSeq && !unread[c.id]) unread[c.id] = 1;
      }
      // `me` is left to agent:updated events: this snapshot may predate a status change made meanwhile.
      this.#update({ conversations, unread, agents });
      const { view } = this.#state;
      await this.#loadView('all').catch((error: unknown) => {
        if (error instanceof AckError && error.code === 'FORBIDDEN') this.#update({ canSeeAll: false });
        else throw error;
      });
      if (view === 'resolved') await this.#loadView('resolved');
      for (const id of this.#state.tabs) {
        const point = this.#catchUp.get(id);
        if (!point) continue;
        if (point.seq === 0) await this.#loadThread(id);
        else {
          const missed = await this.#historyAfter(id, point.seq);
          point.caughtUp(missed);
          const thread = this.#state.threads[id];
          if (thread) this.#patchThread(id, { messages: mergeMessages(thread.messages, missed) });
        }
      }
    });
  }

  async #loadView(view: 'all' | 'resolved'): Promise<void> {
    const list = await this.#request('conversation:list', { view, limit: view === 'resolved' ? 100 : 200 });
    const conversations = { ...this.#state.conversations };
    for (const c of list) {
      const known = conversations[c.id];
      if (!known || known.lastSeq <= c.lastSeq) conversations[c.id] = c;
    }
    const canSeeAll = view === 'all' ? this.#state.me.role === 'admin' || list.length > 0 || this.#state.canSeeAll : this.#state.canSeeAll;
    this.#update({ conversations, canSeeAll });
  }

  async #loadThread(id: string): Promise<void> {
    const [page, detail] = await Promise.all([
      this.#request('history:get', { conversationId: id, limit: PAGE }),
      this.#request('conversation:get', { conversationId: id }),
    ]);
    const thread = this.#state.threads[id];
    if (!thread) return;
    this.#catchUp.get(id)?.caughtUp(page.messages);
    this.#upsert(detail.conversation);
    this.#patchThread(id, { messages: mergeMessages(thread.messages, page.messages), hasOlder: page.hasMore, detail });
    if (this.#state.selectedId === id) this.#seen(id);
  }

  async #historyAfter(conversationId: string, afterSeq: number): Promise<MessageDTO[]> {
    const missed: MessageDTO[] = [];
    for (let after = afterSeq; ; after = lastSeq(missed)) {
      const page = await this.#request('history:get', { conversationId, afterSeq: after, limit: 100 });
      missed.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return missed;
    }
  }

  /** Sends one reply of the outbox; throws when the server did not store it. */
  async #deliver({ conversationId, clientId, body, note, attachmentIds }: UnsentReply): Promise<void> {
    const { message, conversation } = await this.#request('message:send', {
      conversationId,
      clientId,
      body,
      ...(note ? { note: true } : {}),
      ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
    });
    this.#upsert(conversation);
    this.#merge(message);
    if (this.#state.selectedId === conversationId) this.#seen(conversationId);
  }

  /** Runs a command; a refusal becomes `failure` for the view to show. */
  async #attempt(command: () => Promise<void>): Promise<void> {
    this.#update({ failure: null });
    try {
      await command();
    } catch (error) {
      this.#update({ failure: failureOf(error) });
    }
  }

  /** Merges a conversation into the views; a command's answer carries no visitor, last message or labels. */
  #upsert(conversation: ConversationDTO | ConversationSummaryDTO | ConversationLeftQueue): void {
    const known = this.#state.conversations[conversation.id];
    if (!known && !('visitor' in conversation)) return;
    // Every change adds a message (a system line at least), so a lower lastSeq is an older snapshot.
    if (known && conversation.lastSeq < known.lastSeq) return;
    const merged = { ...known, ...conversation } as ConversationSummaryDTO;
    // Keep the highest read marks: a read event can overtake the snapshot that predates it.
    if (known) {
      merged.visitorReadSeq = Math.max(known.visitorReadSeq, merged.visitorReadSeq);
      merged.agentReadSeq = Math.max(known.agentReadSeq, merged.agentReadSeq);
    }
    const newlyQueued = merged.status === 'queued' && known?.status !== 'queued';
    const patch: Partial<InboxState> = { conversations: { ...this.#state.conversations, [conversation.id]: merged } };
    // Handed to someone else (and not open here): no longer this agent's to read.
    const elsewhere = merged.assignee?.id !== this.#state.me.id && !this.#state.tabs.includes(conversation.id);
    if (elsewhere && this.#state.unread[conversation.id]) {
      const { [conversation.id]: _gone, ...unread } = this.#state.unread;
      patch.unread = unread;
    }
    const thread = this.#state.threads[conversation.id];
    if (thread?.detail && 'visitor' in conversation) {
      patch.threads = { ...this.#state.threads, [conversation.id]: { ...thread, detail: { ...thread.detail, conversation } } };
    }
    this.#update(patch);
    if (newlyQueued && this.onAlert) {
      // Usually an online agent gets it at once: alert only when it is still waiting a moment later.
      setTimeout(() => {
        const now = this.#state.conversations[conversation.id];
        if (now?.status === 'queued') this.onAlert?.({ kind: 'queued', conversation: now });
      }, QUEUED_ALERT_DELAY_MS);
    }
  }

  #patchThread(id: string, patch: Partial<Thread>): void {
    const thread = this.#state.threads[id];
    if (thread) this.#update({ threads: { ...this.#state.threads, [id]: { ...thread, ...patch } } });
  }

  #update(patch: Partial<InboxState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}

function failureOf(error: unknown): Failure {
  return error instanceof AckError ? error.code : 'INTERNAL';
}
