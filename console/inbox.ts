/**
 * The agent's live inbox, independent of the view: one live session to /agent; every conversation the agent
 * can see, kept current by events; the tabs with their transcripts, typing and unread counts; search; the team.
 * The state and its pure transitions are in inbox-state.ts; this class sends commands and applies answers and events.
 */
import type { AgentDTO, AgentStatus, CannedResponseDTO, ConversationSummaryDTO, MessageDTO } from '../server/contract/dto.ts';
import type { AgentClientToServer, AgentServerToClient, ConversationView, SendResult, TypingEvent, WebhookDisabledNotice } from '../server/contract/events.ts';
import { newClientId } from '../client/client-id.ts';
import { LiveSession } from '../client/live-session.ts';
import { mergeMessages } from '../client/messages.ts';
import { browserStorage, Outbox } from '../client/outbox.ts';
import { AckError, type Requester } from '../client/request.ts';
import type { AgentAuth } from './auth.ts';
import { failureOf } from './format.ts';
import { TranscriptCatchUp } from './transcript-catch-up.ts';
import {
  initialState, isFollowed, viewOf, withAgent, withConversation, withListed, withMessage, withoutTab, withReadMark, withSeen,
  withEmail, withSynced, withTab, withThread, withTyping, withUnreadMessage, withVisitorChange,
  type Failure, type InboxState, type Thread, type UnsentReply,
} from './inbox-state.ts';

export type Alert = { kind: 'queued'; conversation: ConversationSummaryDTO }
  | { kind: 'message'; conversation: ConversationSummaryDTO; message: MessageDTO }
  | { kind: 'webhookDisabled'; notice: WebhookDisabledNotice }; // to admins: an endpoint failed for good

/** How long a typing indicator lasts without a refresh. */
const TYPING_TTL_MS = 8000;
/** A conversation queued and assigned within this time never alerted anyone. */
const QUEUED_ALERT_DELAY_MS = 1200;
const PAGE = 50;

type Listener = (state: InboxState) => void;

export class Inbox {
  #state: InboxState;
  readonly #listeners = new Set<Listener>();
  readonly #live: LiveSession<AgentServerToClient, AgentClientToServer>;
  readonly #transcripts = new TranscriptCatchUp({
    historyAfter: (id, afterSeq) => this.#live.historyAfter(id, afterSeq),
    merge: (id, missed) => this.#patchThread(id, { messages: mergeMessages(this.#state.threads[id]?.messages ?? [], missed) }),
  });
  readonly #typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #canned = new Map<string, Promise<CannedResponseDTO[]>>();
  readonly #discovering = new Set<string>();
  readonly #outbox: Outbox<UnsentReply, SendResult>;
  #visible = typeof document === 'undefined' || document.visibilityState === 'visible';
  #searchSeq = 0;
  onAlert: ((alert: Alert) => void) | null = null;

  constructor(auth: AgentAuth, me: AgentDTO) {
    this.#outbox = new Outbox<UnsentReply, SendResult>({
      storage: browserStorage(),
      key: `parley:outbox:agent:${me.id}`,
      owner: me.id,
      deliver: (reply) => this.#deliver(reply),
      stored: ({ conversation, message }) => this.#stored(conversation, message),
      onChange: (outgoing) => this.#update({ outgoing }),
    });
    this.#state = initialState(me, this.#outbox.pending);
    this.#live = new LiveSession({
      namespace: '/agent',
      token: () => auth.session?.accessToken,
      // Signed out when the refresh cookie is refused: the app then drops this inbox.
      renewToken: async () => (await auth.refresh()) !== null,
      outbox: this.#outbox,
      connection: (connection) => this.#update({ connection }),
      connected: () => void (this.#tellVisibility(), this.#sync()),
      disconnected: () => this.#transcripts.disconnected(),
    });
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
    this.#live.close();
  }

  /** The page became visible or hidden: what is on screen counts as read only while visible; the server is told (push alerts). */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    this.#tellVisibility();
    if (visible && this.#state.selectedId) this.#markSeen(this.#state.selectedId);
  }
  #tellVisibility = () => void this.#live.request('console:visible', { visible: this.#visible }).catch(() => undefined);

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
      const results = await this.#live.request('conversation:search', { query: trimmed, limit: 50 });
      if (seq === this.#searchSeq) this.#update({ search: { query: trimmed, results, busy: false } });
    } catch (error) {
      if (seq === this.#searchSeq) this.#update({ search: { query: trimmed, results: [], busy: false }, failure: failureOf(error) });
    }
  }

  // --- tabs --------------------------------------------------------------------------------------

  /** Opens the conversation in a tab (or switches to its tab) and shows it. */
  open(conversation: ConversationSummaryDTO | string): void {
    const id = typeof conversation === 'string' ? conversation : conversation.id;
    const opening = !this.#state.tabs.includes(id);
    this.#set(withTab(this.#state, conversation));
    if (opening) this.#transcripts.opened(id);
    this.select(id);
    if (opening) void this.#attempt(() => this.#loadThread(id));
  }

  select(id: string | null): void {
    if (id !== null && !this.#state.tabs.includes(id)) return this.open(id);
    this.#update({ selectedId: id, failure: null });
    if (id) this.#markSeen(id);
  }

  closeTab(id: string): void {
    if (!this.#state.tabs.includes(id)) return;
    this.#transcripts.closed(id);
    this.#live.stopTyping(id);
    this.#set(withoutTab(this.#state, id));
  }

  async loadOlder(id: string): Promise<void> {
    const thread = this.#state.threads[id];
    if (!thread || thread.loadingOlder || !thread.hasOlder) return;
    this.#patchThread(id, { loadingOlder: true });
    try {
      const page = await this.#live.request('history:get', { conversationId: id, beforeSeq: thread.messages[0]?.seq ?? 1, limit: PAGE });
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
      this.#upsert(await this.#live.request('conversation:claim', { conversationId: id }));
      this.open(id);
    });
  }

  /** Claims the conversation waiting longest. */
  async claimNext(): Promise<void> {
    const next = viewOf(this.#state, 'queue')[0];
    if (next) await this.claim(next.id);
  }

  resolve(id: string): Promise<void> {
    this.#live.stopTyping(id);
    return this.#attempt(async () => this.#upsert(await this.#live.request('conversation:resolve', { conversationId: id })));
  }

  reopen(id: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#live.request('conversation:reopen', { conversationId: id })));
  }

  unassign(id: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#live.request('conversation:unassign', { conversationId: id })));
  }

  transfer(id: string, agentId: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#live.request('conversation:transfer', { conversationId: id, agentId })));
  }

  setLabels(id: string, labels: string[]): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#live.request('conversation:setLabels', { conversationId: id, labels })));
  }

  setStatus(status: Exclude<AgentStatus, 'offline'>): Promise<void> {
    return this.#attempt(async () => this.#update({ me: await this.#live.request('agent:setStatus', { status }) }));
  }

  /** The team, with presence and load, for transfers; kept live by agents:updated afterwards. */
  loadAgents(): Promise<void> {
    return this.#attempt(async () => this.#update({ agents: await this.#live.request('agents:list', {}) }));
  }

  /** Canned responses for a site (global ones included), fetched once per site. */
  canned(siteId: string): Promise<CannedResponseDTO[]> {
    let list = this.#canned.get(siteId);
    if (!list) {
      list = this.#live.request('canned:list', { siteId });
      list.catch(() => this.#canned.delete(siteId));
      this.#canned.set(siteId, list);
    }
    return list;
  }

  /** Held email replies of a conversation, and an agent's decision on one (held-replies.tsx). */
  readonly emailReplies: Requester<Pick<AgentClientToServer, 'email:held' | 'email:accept' | 'email:discard'>> = (event, req) => this.#live.request(event, req);

  /** Canned responses change rarely; an admin who edits them drops the cache. */
  forgetCanned(): void {
    this.#canned.clear();
  }

  reply(conversationId: string, body: string, options: { note?: boolean; attachmentIds?: string[] } = {}): void {
    const note = options.note ?? false;
    if (!note) this.#live.stopTyping(conversationId);
    this.#outbox.add({ conversationId, clientId: newClientId(), body, note, attachmentIds: options.attachmentIds ?? [], createdAt: Date.now() });
  }

  /** Sends a failed reply again with the same client id, so the server can't store it twice. */
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  /** The agent's reply draft changed: the visitor sees them typing while it is not empty (throttled). */
  draft(conversationId: string, text: string): void {
    this.#live.draft(conversationId, text);
  }

  /** Uploads a file for the conversation; resolves with the attachment id to send. */
  async upload(conversationId: string, file: File): Promise<string> {
    return (await this.#live.upload(file, conversationId)).id;
  }

  #listen(): void {
    const socket = this.#live.socket;
    socket.on('conversations:updated', (conversations) => {
      for (const conversation of conversations) {
        this.#upsert(conversation);
        this.#transcripts.heardOf(conversation.id, conversation.lastSeq);
      }
    });
    socket.on('messages:new', (messages) => messages.forEach((message) => this.#receive(message)));
    socket.on('agents:updated', (agents) => this.#set(agents.reduce(withAgent, this.#state)));
    socket.on('typing', (event) => this.#typingEvent(event));
    socket.on('conversation:read', (event) => this.#set(withReadMark(this.#state, event)));
    socket.on('visitor:updated', (change) => this.#set(withVisitorChange(this.#state, change, new Date().toISOString())));
    socket.on('webhook:disabled', (notice) => this.onAlert?.({ kind: 'webhookDisabled', notice }));
    socket.on('email:updated', (email) => this.#set(withEmail(this.#state, email)));
  }

  /** A message of a live messages:new event. */
  #receive(message: MessageDTO): void {
    const { conversationId } = message;
    // My reply's live event (also when another tab of mine sent it): stored either way.
    if (message.clientId && message.authorId === this.#state.me.id) this.#outbox.delivered(message.clientId);
    // A conversation never seen (a visitor's first message): fetch how it stands.
    if (!this.#state.conversations[conversationId]) void this.#discover(conversationId);
    this.#transcripts.received(message);
    this.#set(withMessage(this.#state, message));
    if (message.authorKind !== 'visitor') return;
    if (this.#state.threads[conversationId]?.visitorTyping) this.#patchThread(conversationId, { visitorTyping: null });
    const onScreen = this.#state.selectedId === conversationId && this.#visible;
    if (onScreen) return this.#markSeen(conversationId);
    this.#set(withUnreadMessage(this.#state, conversationId));
    const conversation = this.#state.conversations[conversationId];
    if (conversation && isFollowed(this.#state, conversationId)) this.onAlert?.({ kind: 'message', conversation, message });
  }

  async #discover(conversationId: string): Promise<void> {
    if (this.#discovering.has(conversationId)) return;
    this.#discovering.add(conversationId);
    try {
      this.#upsert((await this.#live.request('conversation:get', { conversationId })).conversation);
    } catch {
      // Not ours to see (another site), or gone: nothing to show.
    } finally {
      this.#discovering.delete(conversationId);
    }
  }

  #typingEvent(event: TypingEvent): void {
    if (!this.#state.threads[event.conversationId]) return;
    const key = `${event.conversationId}:${event.name ?? ''}`;
    clearTimeout(this.#typingTimers.get(key));
    this.#set(withTyping(this.#state, event));
    if (event.typing) {
      this.#typingTimers.set(key, setTimeout(() => this.#typingEvent({ ...event, typing: false }), TYPING_TTL_MS));
    }
  }

  /** Marks what is on screen read, locally and on the server (which tells the visitor). */
  #markSeen(id: string): void {
    if (!this.#visible) return;
    const { state, readSeq } = withSeen(this.#state, id);
    this.#set(state);
    if (readSeq !== null) void this.#live.request('conversation:read', { conversationId: id, seq: readSeq }).catch(() => undefined);
  }

  // --- loading -----------------------------------------------------------------------------------

  /** On every (re)connect: reload the views, and fetch what each open transcript missed. */
  async #sync(): Promise<void> {
    await this.#attempt(async () => {
      const [queue, mine, agents] = await Promise.all([
        this.#live.request('conversation:list', { view: 'queue' }),
        this.#live.request('conversation:list', { view: 'mine' }),
        this.#live.request('agents:list', {}),
      ]);
      this.#set(withSynced(this.#state, queue, mine, agents));
      const { view } = this.#state;
      await this.#loadView('all').catch((error: unknown) => {
        if (error instanceof AckError && error.code === 'FORBIDDEN') this.#update({ canSeeAll: false });
        else throw error;
      });
      if (view === 'resolved') await this.#loadView('resolved');
      await this.#transcripts.reconnected((id) => this.#loadThread(id));
    });
  }

  async #loadView(view: 'all' | 'resolved'): Promise<void> {
    const list = await this.#live.request('conversation:list', { view, limit: view === 'resolved' ? 100 : 200 });
    this.#set(withListed(this.#state, view, list));
  }

  async #loadThread(id: string): Promise<void> {
    const [page, detail] = await Promise.all([
      this.#live.request('history:get', { conversationId: id, limit: PAGE }),
      this.#live.request('conversation:get', { conversationId: id }),
    ]);
    const thread = this.#state.threads[id];
    if (!thread) return;
    this.#transcripts.loaded(id, page.messages);
    this.#upsert(detail.conversation);
    this.#patchThread(id, { messages: mergeMessages(thread.messages, page.messages), hasOlder: page.hasMore, detail });
    // A change heard while the page was on its way (say, an assignment) may be past it.
    this.#transcripts.heardOf(id, this.#state.conversations[id]?.lastSeq ?? 0);
    if (this.#state.selectedId === id) this.#markSeen(id);
  }

  /** Sends one reply of the outbox; throws when the server did not store it. */
  #deliver({ conversationId, clientId, body, note, attachmentIds }: UnsentReply): Promise<SendResult> {
    return this.#live.request('message:send', {
      conversationId,
      clientId,
      body,
      ...(note ? { note: true } : {}),
      ...(attachmentIds.length > 0 ? { attachmentIds } : {}),
    });
  }

  /** The outbox's answer for a reply the server stored (already out of the outbox). */
  #stored(conversation: SendResult['conversation'], message: MessageDTO): void {
    this.#upsert(conversation);
    this.#set(withMessage(this.#state, message));
    if (this.#state.selectedId === message.conversationId) this.#markSeen(message.conversationId);
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

  /** Merges a conversation into the views, and alerts when it newly waits in the queue. */
  #upsert(conversation: Parameters<typeof withConversation>[1]): void {
    const wasQueued = this.#state.conversations[conversation.id]?.status === 'queued';
    this.#set(withConversation(this.#state, conversation));
    const newlyQueued = !wasQueued && this.#state.conversations[conversation.id]?.status === 'queued';
    if (newlyQueued && this.onAlert) {
      // Usually an online agent gets it at once: alert only when it is still waiting a moment later.
      setTimeout(() => {
        const now = this.#state.conversations[conversation.id];
        if (now?.status === 'queued') this.onAlert?.({ kind: 'queued', conversation: now });
      }, QUEUED_ALERT_DELAY_MS);
    }
  }

  #patchThread(id: string, patch: Partial<Thread>): void {
    this.#set(withThread(this.#state, id, patch));
  }

  #update(patch: Partial<InboxState>): void {
    this.#set({ ...this.#state, ...patch });
  }

  #set(next: InboxState): void {
    if (next === this.#state) return;
    this.#state = next;
    for (const listener of this.#listeners) listener(this.#state);
  }
}
