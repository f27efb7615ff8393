/**
 * The visitor's side of the chat, independent of the view: one socket to /visitor, the conversation on
 * screen, its transcript, the messages on their way and the queue position. The view subscribes to
 * immutable snapshots of the state.
 */
import { io, type Socket } from 'socket.io-client';
import type { ConversationDTO, MessageDTO, QueuePositionDTO } from '../../server/contract/dto.ts';
import type { VisitorClientToServer, VisitorServerToClient } from '../../server/contract/events.ts';
import { newClientId } from '../shared/client-id.ts';
import { CatchUpPoint, lastSeq, mergeMessages, type OutgoingMessage } from '../shared/messages.ts';
import { AckError, isUnauthorized, requester, type Requester } from '../shared/request.ts';

export interface VisitorChatState {
  /** `unavailable`: the server refused even a fresh token, so the chat stops trying. */
  connection: 'connecting' | 'online' | 'reconnecting' | 'unavailable';
  /** The visitor's latest conversation, or null before their first message. */
  conversation: ConversationDTO | null;
  messages: MessageDTO[];
  outgoing: OutgoingMessage[];
  /** The latest position received, for whichever conversation it names. */
  queue: QueuePositionDTO | null;
  /** Whether the loader shows the panel. */
  visible: boolean;
  /** Agent messages that arrived while the panel was hidden. */
  unread: number;
}

type Listener = (state: VisitorChatState) => void;

const newest = (conversations: ConversationDTO[]): ConversationDTO | null =>
  conversations.reduce<ConversationDTO | null>((latest, c) => (latest && latest.queuedAt >= c.queuedAt ? latest : c), null);

export class VisitorChat {
  #state: VisitorChatState = { connection: 'connecting', conversation: null, messages: [], outgoing: [], queue: null, visible: false, unread: 0 };
  readonly #listeners = new Set<Listener>();
  readonly #socket: Socket<VisitorServerToClient, VisitorClientToServer>;
  readonly #request: Requester<VisitorClientToServer>;
  readonly #onTokenRejected: () => void;
  readonly #catchUp = new CatchUpPoint();
  #token: string;
  #awaitingToken = false;

  /** `onTokenRejected` must get a new token and pass it to `setToken`. */
  constructor(token: string, onTokenRejected: () => void) {
    this.#token = token;
    this.#onTokenRejected = onTokenRejected;
    // The function form of `auth` is read on every (re)connect, so it always sends the latest token.
    this.#socket = io('/visitor', { transports: ['websocket'], auth: (send) => send({ token: this.#token }) });
    this.#request = requester(this.#socket);
    this.#listen();
  }

  get state(): VisitorChatState {
    return this.#state;
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  setToken(token: string): void {
    this.#token = token;
    if (!this.#socket.connected) this.#socket.connect();
  }

  setVisible(visible: boolean): void {
    this.#update({ visible, unread: visible ? 0 : this.#state.unread });
  }

  send(body: string): void {
    const message: OutgoingMessage = { clientId: newClientId(), body, status: 'sending', error: null };
    this.#update({ outgoing: [...this.#state.outgoing, message] });
    void this.#deliver(message);
  }

  /** Sends a failed message again with the same client id, so the server can't store it twice. */
  retry(clientId: string): void {
    const message = this.#state.outgoing.find((m) => m.clientId === clientId);
    if (!message || message.status !== 'failed') return;
    this.#setOutgoing(clientId, { status: 'sending', error: null });
    void this.#deliver(message);
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on('connect', () => {
      this.#awaitingToken = false;
      this.#update({ connection: 'online' });
      void this.#sync();
    });
    socket.on('disconnect', () => {
      this.#catchUp.disconnected();
      this.#update({ connection: 'reconnecting' });
    });
    socket.on('connect_error', (error) => {
      // Socket.IO retries network errors by itself; an inactive socket means the server refused us.
      if (socket.active) return;
      if (!isUnauthorized(error) || this.#awaitingToken) return this.#update({ connection: 'unavailable' });
      this.#awaitingToken = true;
      this.#onTokenRejected();
    });
    socket.on('message:new', (message) => this.#receive(message));
    socket.on('conversation:updated', (conversation) => {
      const current = this.#state.conversation;
      if (current && current.id !== conversation.id) return;
      this.#update({ conversation });
    });
    // Kept even before the conversation is known (it can come before the send's answer); the view
    // shows it only for the conversation on screen while it waits.
    socket.on('queue:position', (queue) => this.#update({ queue }));
  }

  #receive(message: MessageDTO): void {
    const { conversation, messages, outgoing, visible, unread } = this.#state;
    // A conversation started elsewhere (another tab): catch up through the list.
    if (conversation?.id !== message.conversationId) return void this.#sync();
    this.#catchUp.received(message);
    const merged = mergeMessages(messages, [message]);
    if (merged === messages) return;
    const unseen = !visible && message.authorKind === 'agent';
    this.#update({
      messages: merged,
      outgoing: outgoing.filter((m) => m.clientId !== message.clientId),
      unread: unseen ? unread + 1 : unread,
    });
  }

  /** On every (re)connect: find the latest conversation and fetch what this page has not seen. */
  async #sync(): Promise<void> {
    try {
      const latest = newest(await this.#request('conversation:list', {}));
      if (!latest) return;
      const known = this.#state.conversation?.id === latest.id;
      const missed = known
        ? await this.#historyAfter(latest.id, this.#catchUp.seq)
        : (await this.#request('history:get', { conversationId: latest.id })).messages;
      const stillKnown = this.#state.conversation?.id === latest.id;
      if (!stillKnown) this.#catchUp.reset();
      this.#catchUp.caughtUp(missed);
      this.#update({
        conversation: latest,
        messages: mergeMessages(stillKnown ? this.#state.messages : [], missed),
      });
    } catch (error) {
      console.warn('[Parley] could not load the conversation:', error); // the next reconnect tries again
    }
  }

  async #historyAfter(conversationId: string, afterSeq: number): Promise<MessageDTO[]> {
    const missed: MessageDTO[] = [];
    for (let after = afterSeq; ; after = lastSeq(missed)) {
      const page = await this.#request('history:get', { conversationId, afterSeq: after });
      missed.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return missed;
    }
  }

  async #deliver({ clientId, body }: OutgoingMessage): Promise<void> {
    const open = this.#state.conversation;
    try {
      const result = await this.#request('message:send', {
        conversationId: open && open.status !== 'resolved' ? open.id : undefined,
        clientId,
        body,
      });
      const current = this.#state.conversation;
      const switched = current?.id !== result.conversation.id;
      if (switched) this.#catchUp.reset();
      this.#update({
        // The answer's conversation may be older than a conversation:updated that came first.
        conversation: switched ? result.conversation : current,
        messages: mergeMessages(switched ? [] : this.#state.messages, [result.message]),
        outgoing: this.#state.outgoing.filter((m) => m.clientId !== clientId),
      });
    } catch (error) {
      this.#setOutgoing(clientId, { status: 'failed', error: error instanceof AckError ? error.code : 'INTERNAL' });
    }
  }

  #setOutgoing(clientId: string, patch: Pick<OutgoingMessage, 'status' | 'error'>): void {
    this.#update({ outgoing: this.#state.outgoing.map((m) => (m.clientId === clientId ? { ...m, ...patch } : m)) });
  }

  #update(patch: Partial<VisitorChatState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener(this.#state);
  }
}
