/**
 * The agent's live inbox, independent of the view: one socket to /agent, the conversations of the
 * Queue and Mine views kept current by events, and the transcript of the selected conversation.
 */
import { io, type Socket } from 'socket.io-client';
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO } from '../server/contract/dto.ts';
import type { ErrorCode } from '../server/contract/errors.ts';
import type { AgentClientToServer, AgentServerToClient } from '../server/contract/events.ts';
import { newClientId } from '../widget/shared/client-id.ts';
import { CatchUpPoint, lastSeq, mergeMessages, type OutgoingMessage } from '../widget/shared/messages.ts';
import { AckError, isUnauthorized, requester, type Requester } from '../widget/shared/request.ts';
import type { AgentAuth } from './auth.ts';

export interface OutgoingReply extends OutgoingMessage {
  conversationId: string;
}

export interface InboxState {
  /** `unavailable`: the server refused even a freshly refreshed token. */
  connection: 'connecting' | 'online' | 'reconnecting' | 'unavailable';
  me: AgentDTO;
  /** Every conversation the agent can see now, by id. */
  conversations: Record<string, ConversationSummaryDTO>;
  selectedId: string | null;
  /** The selected conversation's transcript. */
  messages: MessageDTO[];
  outgoing: OutgoingReply[];
  /** The last command the server refused, until the next one. */
  failure: ErrorCode | 'TIMEOUT' | null;
}

/** Waiting conversations, longest-waiting first. */
export function queueOf({ conversations }: InboxState): ConversationSummaryDTO[] {
  return Object.values(conversations)
    .filter((c) => c.status === 'queued')
    .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
}

/** The agent's active conversations, most recent activity first. */
export function mineOf({ conversations, me }: InboxState): ConversationSummaryDTO[] {
  const activity = (c: ConversationSummaryDTO): string => c.lastMessage?.createdAt ?? c.assignedAt ?? c.queuedAt;
  return Object.values(conversations)
    .filter((c) => c.status === 'active' && c.assignee?.id === me.id)
    .sort((a, b) => activity(b).localeCompare(activity(a)));
}

type Listener = (state: InboxState) => void;

export class Inbox {
  #state: InboxState;
  readonly #listeners = new Set<Listener>();
  readonly #socket: Socket<AgentServerToClient, AgentClientToServer>;
  readonly #request: Requester<AgentClientToServer>;
  readonly #auth: AgentAuth;
  /** For the selected conversation. */
  readonly #catchUp = new CatchUpPoint();
  #refreshedForRefusal = false;

  constructor(auth: AgentAuth, me: AgentDTO) {
    this.#auth = auth;
    this.#state = { connection: 'connecting', me, conversations: {}, selectedId: null, messages: [], outgoing: [], failure: null };
    // The function form of `auth` is read on every (re)connect, so reconnects use the latest token.
    this.#socket = io('/agent', { transports: ['websocket'], auth: (send) => send({ token: auth.session?.accessToken }) });
    this.#request = requester(this.#socket);
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
    this.#socket.disconnect();
  }

  async select(conversationId: string): Promise<void> {
    if (this.#state.selectedId === conversationId) return;
    this.#catchUp.reset();
    this.#update({ selectedId: conversationId, messages: [], failure: null });
    await this.#attempt(async () => {
      const page = await this.#request('history:get', { conversationId });
      if (this.#state.selectedId !== conversationId) return;
      this.#catchUp.caughtUp(page.messages);
      this.#update({ messages: mergeMessages(this.#state.messages, page.messages) });
    });
  }

  claim(conversationId: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:claim', { conversationId })));
  }

  resolve(conversationId: string): Promise<void> {
    return this.#attempt(async () => this.#upsert(await this.#request('conversation:resolve', { conversationId })));
  }

  reply(conversationId: string, body: string): void {
    const reply: OutgoingReply = { conversationId, clientId: newClientId(), body, status: 'sending', error: null };
    this.#update({ outgoing: [...this.#state.outgoing, reply] });
    void this.#deliver(reply);
  }

  /** Sends a failed reply again with the same client id, so the server can't store it twice. */
  retry(clientId: string): void {
    const reply = this.#state.outgoing.find((r) => r.clientId === clientId);
    if (!reply || reply.status !== 'failed') return;
    this.#setOutgoing(clientId, { status: 'sending', error: null });
    void this.#deliver(reply);
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on('connect', () => {
      this.#refreshedForRefusal = false;
      this.#update({ connection: 'online' });
      void this.#sync();
    });
    socket.on('disconnect', () => {
      this.#catchUp.disconnected();
      this.#update({ connection: 'reconnecting' });
    });
    socket.on('connect_error', async (error) => {
      // Socket.IO retries network errors by itself; an inactive socket means the server refused us.
      if (socket.active) return;
      if (!isUnauthorized(error) || this.#refreshedForRefusal) return this.#update({ connection: 'unavailable' });
      this.#refreshedForRefusal = true;
      if (await this.#auth.refresh()) socket.connect(); // else signed out: the app drops this inbox
    });
    socket.on('conversation:updated', (conversation) => this.#upsert(conversation));
    socket.on('message:new', (message) => this.#receive(message));
    socket.on('agent:updated', (agent) => {
      if (agent.id === this.#state.me.id) this.#update({ me: agent });
    });
  }

  /** A live message:new event. */
  #receive(message: MessageDTO): void {
    if (message.conversationId === this.#state.selectedId) this.#catchUp.received(message);
    this.#merge(message);
  }

  /** Updates the conversation's preview, and the transcript when it is the open one. */
  #merge(message: MessageDTO): void {
    const { conversations, selectedId, messages, outgoing } = this.#state;
    const summary = conversations[message.conversationId];
    const patch: Partial<InboxState> = {};
    if (summary && message.seq > (summary.lastMessage?.seq ?? 0)) {
      patch.conversations = { ...conversations, [summary.id]: { ...summary, lastMessage: message, lastSeq: Math.max(summary.lastSeq, message.seq) } };
    }
    if (message.conversationId === selectedId) {
      patch.messages = mergeMessages(messages, [message]);
      patch.outgoing = outgoing.filter((r) => r.clientId !== message.clientId);
    }
    this.#update(patch);
  }

  /** On every (re)connect: reload the views, and fetch what the open transcript missed. */
  async #sync(): Promise<void> {
    await this.#attempt(async () => {
      const [queue, mine] = await Promise.all([
        this.#request('conversation:list', { view: 'queue' }),
        this.#request('conversation:list', { view: 'mine' }),
      ]);
      const { selectedId, conversations: before } = this.#state;
      const conversations = Object.fromEntries([...queue, ...mine].map((c) => [c.id, c]));
      // Keep the open conversation even when it left both views (resolved, taken by someone else).
      const selected = selectedId ? before[selectedId] : undefined;
      if (selected && !conversations[selected.id]) conversations[selected.id] = selected;
      this.#update({ conversations });
      if (!selectedId) return;
      const missed = await this.#historyAfter(selectedId, this.#catchUp.seq);
      if (this.#state.selectedId !== selectedId) return;
      this.#catchUp.caughtUp(missed);
      this.#update({ messages: mergeMessages(this.#state.messages, missed) });
    });
  }

  async #historyAfter(conversationId: string, afterSeq: number): Promise<MessageDTO[]> {
    const missed: MessageDTO[] = [];
    for (let after = afterSeq; ; after = lastSeq(missed)) {
      const page = await this.#request('history:get', { conversationId, afterSeq: after });
      missed.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return missed;
    }
  }

  async #deliver({ conversationId, clientId, body }: OutgoingReply): Promise<void> {
    try {
      const { message, conversation } = await this.#request('message:send', { conversationId, clientId, body });
      this.#upsert(conversation);
      this.#merge(message);
      this.#update({ outgoing: this.#state.outgoing.filter((r) => r.clientId !== clientId) });
    } catch (error) {
      this.#setOutgoing(clientId, { status: 'failed', error: error instanceof AckError ? error.code : 'INTERNAL' });
    }
  }

  /** Runs a command; a refusal becomes `failure` for the view to show. */
  async #attempt(command: () => Promise<void>): Promise<void> {
    this.#update({ failure: null });
    try {
      await command();
    } catch (error) {
      this.#update({ failure: error instanceof AckError ? error.code : 'INTERNAL' });
    }
  }

  /** Merges a conversation into the views; a command's answer carries no visitor or last message. */
  #upsert(conversation: ConversationDTO | ConversationSummaryDTO): void {
    const known = this.#state.conversations[conversation.id];
    if (!known && !('visitor' in conversation)) return;
    // Every change adds a message (a system line at least), so a lower lastSeq is an older snapshot.
    if (known && conversation.lastSeq < known.lastSeq) return;
    const merged = { ...known, ...conversation } as ConversationSummaryDTO;
    this.#update({ conversations: { ...this.#state.conversations, [conversation.id]: merged } });
  }

  #setOutgoing(clientId: string, patch: Pick<OutgoingMessage, 'status' | 'error'>): void {
    this.#update({ outgoing: this.#state.outgoing.map((r) => (r.clientId === clientId ? { ...r, ...patch } : r)) });
  }

  #update(patch: Partial<InboxState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
