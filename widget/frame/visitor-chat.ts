/**
 * The visitor's side of the chat, independent of the view: one socket to /visitor, the visitor's
 * conversations, the one on screen with its transcript, the messages on their way, the queue position,
 * read receipts and typing. The view subscribes to immutable snapshots of the state.
 */
import { io, type Socket } from 'socket.io-client';
import type { AttachmentDTO, ConversationDTO, MessageDTO, QueuePositionDTO, VisitorDTO } from '../../server/contract/dto.ts';
import type { VisitorClientToServer, VisitorServerToClient, VisitorUpdateRequest } from '../../server/contract/events.ts';
import type { Identity, VisitorAttributes } from '../bridge.ts';
import { newClientId } from '../../client/client-id.ts';
import { CatchUpPoint, lastSeq, mergeMessages } from '../../client/messages.ts';
import { HandshakeRetry } from '../../client/handshake-retry.ts';
import { reconnectWhenSessionEnds } from '../../client/session-end.ts';
import { browserStorage, Outbox, type Pending, type Unsent } from '../../client/outbox.ts';
import { type AckError, isUnauthorized, requester, type Requester } from '../../client/request.ts';
import { PageFacts, type PageContext } from './page-facts.ts';
import { TypingNotifier } from './typing-notifier.ts';
import { uploadAttachment } from './uploads.ts';

/** An agent's typing indicator is dropped when no refresh comes for this long. */
const AGENT_TYPING_TIMEOUT_MS = 6000;

/** A message the visitor wrote, kept in the frame's outbox until the server stored it. */
export interface VisitorUnsent extends Unsent {
  /** Null for a message written before its conversation existed: the first one to arrive starts it. */
  conversationId: string | null;
  /** Written after "new conversation": it starts one instead of joining the open one. */
  newConversation: boolean;
  attachments: AttachmentDTO[];
}

export type VisitorOutgoing = Pending<VisitorUnsent>;

export interface VisitorChatState {
  /** `unavailable`: the server refused even a fresh token, so the chat stops trying. */
  connection: 'connecting' | 'online' | 'reconnecting' | 'unavailable';
  /** Every conversation of the visitor, newest first. */
  conversations: ConversationDTO[];
  /** The conversation on screen; null before the first message, or when the visitor starts a new one. */
  conversation: ConversationDTO | null;
  messages: MessageDTO[];
  /** Written but not stored yet, also from before a reload; sent in order once connected. */
  outgoing: readonly VisitorOutgoing[];
  /** The latest position received, for whichever conversation it names. */
  queue: QueuePositionDTO | null;
  /** Known once connected: the pre-chat and offline forms start from its name and email. */
  visitor: VisitorDTO | null;
  /** The name of the agent typing in the conversation on screen, or null when nobody is. */
  agentTyping: string | null;
  /** The panel is open and the page shown: agent messages count as read as they arrive. */
  seeing: boolean;
  /** Agent messages of the conversation on screen the visitor has not seen. */
  unread: number;
}

export interface VisitorChatEvents {
  /** The server refused the token: get a new one and pass it to `setToken`. */
  tokenRejected(): void;
  /** Identify signed a token for the identified visitor: the loader keeps it from now on. */
  tokenChanged(token: string): void;
  /** A new message in the conversation on screen: arrived live, or this page's own, stored. */
  message(message: MessageDTO): void;
  /** A call of the JS API failed. */
  apiError(error: AckError): void;
}

/** What the visitor looks at: the newest conversation, one chosen from the history, or a new one. */
type Choice = { kind: 'latest' } | { kind: 'chosen'; id: string } | { kind: 'new' };

const newestFirst = (conversations: ConversationDTO[]): ConversationDTO[] =>
  [...conversations].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));

/** The visitor id the server signed into the token (its `sub`), read unverified: whom the outbox and the socket belong to. */
function tokenSubject(token: string): string {
  try {
    const payload = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const { sub } = JSON.parse(atob(payload)) as { sub?: unknown };
    return typeof sub === 'string' ? sub : '';
  } catch {
    return '';
  }
}

export class VisitorChat {
  #state: VisitorChatState = {
    connection: 'connecting',
    conversations: [],
    conversation: null,
    messages: [],
    outgoing: [],
    queue: null,
    visitor: null,
    agentTyping: null,
    seeing: false,
    unread: 0,
  };
  readonly #listeners = new Set<(state: VisitorChatState) => void>();
  readonly #socket: Socket<VisitorServerToClient, VisitorClientToServer>;
  readonly #request: Requester<VisitorClientToServer>;
  readonly #events: VisitorChatEvents;
  readonly #catchUp = new CatchUpPoint();
  readonly #typing: TypingNotifier;
  readonly #outbox: Outbox<VisitorUnsent>;
  readonly #handshakeRetry: HandshakeRetry;
  #token: string;
  #awaitingToken = false;
  #choice: Choice = { kind: 'latest' };
  /** Identity, page and attributes from the host page, until the server took them. */
  readonly #facts: PageFacts;
  /** The highest seq this page marked read, per conversation on screen. */
  #read = { conversationId: '', seq: 0 };
  #agentTypingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(token: string, options: { siteKey: string; context: PageContext; typingPreview: boolean; events: VisitorChatEvents }) {
    this.#token = token;
    this.#events = options.events;
    this.#facts = new PageFacts(
      {
        identify: (identity) => this.#identify(identity),
        context: (context) => this.updateVisitor({ context }),
        attributes: (attributes) => this.updateVisitor({ attributes }),
        refused: (fact, error) => (fact === 'context' ? console.warn('[Parley] could not report the page:', error) : this.#events.apiError(error)),
      },
      options.context,
    );
    // In the frame's own storage: partitioned per top-level site, so it survives the host page's reloads.
    this.#outbox = new Outbox<VisitorUnsent>({
      storage: browserStorage(),
      key: `parley:outbox:${options.siteKey}`,
      owner: tokenSubject(token),
      deliver: (entry) => this.#deliver(entry),
      onChange: (outgoing) => this.#update({ outgoing }),
    });
    this.#update({ outgoing: this.#outbox.pending });
    // The function form of `auth` is read on every (re)connect, so it always sends the latest token.
    this.#socket = io('/visitor', { transports: ['websocket'], auth: (send) => send({ token: this.#token }) });
    this.#request = requester(this.#socket);
    this.#handshakeRetry = new HandshakeRetry(this.#socket);
    reconnectWhenSessionEnds(this.#socket);
    this.#typing = new TypingNotifier((typing, preview) => {
      const open = this.#openConversation();
      if (open) this.#request('typing', { conversationId: open.id, typing, preview }).catch(() => {});
    }, options.typingPreview);
    this.#listen();
  }

  get state(): VisitorChatState {
    return this.#state;
  }

  subscribe(listener: (state: VisitorChatState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  setToken(token: string): void {
    // A new visitor: the old token was refused (expired, or the site's visitor key was rotated).
    if (tokenSubject(token) !== tokenSubject(this.#token)) this.#becomeVisitor(tokenSubject(token));
    this.#token = token;
    this.#handshakeRetry.reset();
    if (!this.#socket.connected) this.#socket.connect();
  }

  setSeeing(seeing: boolean): void {
    this.#update({ seeing });
  }

  send(body: string, attachments: AttachmentDTO[] = []): void {
    this.#typing.stop();
    this.#outbox.add({
      clientId: newClientId(),
      conversationId: this.#openConversation()?.id ?? null,
      newConversation: this.#choice.kind === 'new',
      body,
      attachments,
      createdAt: Date.now(),
    });
  }

  /** Sends a failed message again with the same client id, so the server can't store it twice. */
  retry(clientId: string): void {
    this.#outbox.retry(clientId);
  }

  draft(text: string): void {
    this.#typing.draft(text);
  }

  /** An empty conversation on screen; the next message starts it. */
  startNew(): void {
    this.#choice = { kind: 'new' };
    this.#catchUp.reset();
    this.#update({ conversation: null, messages: [], agentTyping: null });
  }

  /** Puts one of the visitor's conversations on screen. */
  async show(conversationId: string): Promise<void> {
    this.#choice = { kind: 'chosen', id: conversationId };
    await this.#sync();
  }

  async rate(rating: number, comment: string): Promise<void> {
    const conversation = this.#state.conversation;
    if (!conversation) return;
    const trimmed = comment.trim();
    this.#applyConversation(await this.#request('conversation:rate', { conversationId: conversation.id, rating, comment: trimmed || undefined }));
  }

  /** Name, email (pre-chat and offline forms) or the page's custom attributes. */
  async updateVisitor(update: VisitorUpdateRequest): Promise<void> {
    this.#update({ visitor: await this.#request('visitor:update', update) });
  }

  /** `Parley.setAttributes`: kept until the server has them (see PageFacts). */
  setAttributes(attributes: VisitorAttributes): void {
    this.#facts.setAttributes(attributes);
  }

  /** `Parley.identify`: kept until the server answered it (see PageFacts). */
  identify(identity: Identity): void {
    this.#facts.identify(identity);
  }

  async #identify({ id, name, email, hash, profileHash }: Identity): Promise<void> {
    const result = await this.#request('visitor:identify', {
      userId: String(id),
      name: name ?? undefined,
      email: email ?? undefined,
      hash: hash ?? undefined,
      profileHash: profileHash ?? undefined,
    });
    // Against the token this socket connected with: the visitor in the state may not be known yet.
    const switched = result.visitor.id !== tokenSubject(this.#token);
    this.#token = result.token;
    this.#events.tokenChanged(result.token);
    this.#update({ visitor: result.visitor });
    if (!switched) return;
    // The same user known from another device: reconnect as them and show their conversations.
    this.#becomeVisitor(result.visitor.id);
    this.#socket.disconnect().connect();
  }

  /** Another visitor from now on: what was written goes with the person; the next connect shows their conversations. */
  #becomeVisitor(visitorId: string): void {
    this.#outbox.setOwner(visitorId);
    this.#choice = { kind: 'latest' };
    this.#catchUp.reset();
    this.#update({ conversations: [], conversation: null, messages: [], agentTyping: null });
  }

  upload(file: File): Promise<AttachmentDTO> {
    return uploadAttachment(this.#token, file, this.#openConversation()?.id ?? null);
  }

  /** The conversation on screen, if messages can still go to it. */
  #openConversation(): ConversationDTO | null {
    const { conversation } = this.#state;
    return conversation && conversation.status !== 'resolved' ? conversation : null;
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on('connect', () => {
      this.#awaitingToken = false;
      this.#handshakeRetry.reset();
      this.#update({ connection: 'online' });
      this.#facts.online();
      void this.#sync();
      this.#outbox.online();
    });
    socket.on('disconnect', () => {
      this.#facts.offline();
      this.#outbox.offline();
      this.#catchUp.disconnected();
      this.#update({ connection: 'reconnecting' });
    });
    socket.on('connect_error', (error) => {
      // Socket.IO retries network errors by itself; an inactive socket means the server refused us.
      if (socket.active) return;
      if (this.#handshakeRetry.retryIfTransient(error)) return this.#update({ connection: 'reconnecting' });
      if (!isUnauthorized(error) || this.#awaitingToken) return this.#update({ connection: 'unavailable' });
      this.#awaitingToken = true;
      this.#events.tokenRejected();
    });
    socket.on('message:new', (message) => this.#receive(message));
    socket.on('conversation:updated', (conversation) => this.#applyConversation(conversation));
    // Kept even before the conversation is known (it can come before the send's answer); the view
    // shows it only for the conversation on screen while it waits.
    socket.on('queue:position', (queue) => this.#update({ queue }));
    socket.on('typing', ({ conversationId, typing, name }) => {
      const { conversation } = this.#state;
      if (conversation?.id !== conversationId) return;
      clearTimeout(this.#agentTypingTimer);
      if (typing) this.#agentTypingTimer = setTimeout(() => this.#update({ agentTyping: null }), AGENT_TYPING_TIMEOUT_MS);
      this.#update({ agentTyping: typing ? (name ?? conversation.assignee?.name ?? '') : null });
    });
    socket.on('conversation:read', ({ conversationId, seq, by }) => {
      const { conversation } = this.#state;
      if (conversation?.id !== conversationId) return;
      const key = by === 'agent' ? 'agentReadSeq' : 'visitorReadSeq';
      if (seq > conversation[key]) this.#applyConversation({ ...conversation, [key]: seq });
    });
  }

  #receive(message: MessageDTO): void {
    // The visitor's own, sent from this tab or another: stored either way.
    if (message.authorKind === 'visitor' && message.clientId) this.#outbox.delivered(message.clientId);
    const { conversation, messages, agentTyping } = this.#state;
    // A conversation started elsewhere (another tab), or a reply in the newest one while an older one
    // is on screen: follow it.
    if (conversation?.id !== message.conversationId) {
      this.#choice = { kind: 'latest' };
      return void this.#sync();
    }
    this.#catchUp.received(message);
    const merged = mergeMessages(messages, [message]);
    if (merged === messages) return;
    this.#update({
      messages: merged,
      agentTyping: message.authorKind === 'agent' ? null : agentTyping,
    });
    this.#events.message(message);
  }

  /** On every (re)connect, and when the conversation on screen changes: fetch what this page has not seen. */
  async #sync(): Promise<void> {
    try {
      const conversations = newestFirst(await this.#request('conversation:list', {}));
      const choice = this.#choice;
      const target =
        choice.kind === 'new' ? null : ((choice.kind === 'chosen' && conversations.find((c) => c.id === choice.id)) || conversations[0] || null);
      if (!target) return this.#update({ conversations });
      const known = this.#state.conversation?.id === target.id;
      const missed = known
        ? await this.#historyAfter(target.id, this.#catchUp.seq)
        : (await this.#request('history:get', { conversationId: target.id })).messages;
      const stillKnown = this.#state.conversation?.id === target.id;
      if (!stillKnown) this.#catchUp.reset();
      this.#catchUp.caughtUp(missed);
      this.#update({
        conversations,
        conversation: target,
        messages: mergeMessages(stillKnown ? this.#state.messages : [], missed),
        agentTyping: stillKnown ? this.#state.agentTyping : null,
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

  /** Sends one message of the outbox; throws when the server did not store it. */
  async #deliver({ clientId, conversationId, newConversation, body, attachments }: VisitorUnsent): Promise<void> {
    const result = await this.#request('message:send', {
      conversationId: conversationId ?? undefined,
      newConversation: (!conversationId && newConversation) || undefined,
      clientId,
      body,
      attachmentIds: attachments.length ? attachments.map((a) => a.id) : undefined,
    });
    // Messages written before the conversation existed join the one this message started or joined.
    for (const waiting of this.#outbox.pending) {
      if (waiting.conversationId === null && waiting.clientId !== clientId) this.#outbox.update(waiting.clientId, { conversationId: result.conversation.id });
    }
    // Out of the outbox in the same task as the message comes in, so no render shows it twice.
    this.#outbox.delivered(clientId);
    this.#choice = { kind: 'chosen', id: result.conversation.id };
    const current = this.#state.conversation;
    const switched = current?.id !== result.conversation.id;
    if (switched) this.#catchUp.reset();
    const known = switched ? [] : this.#state.messages;
    const messages = mergeMessages(known, [result.message]);
    this.#update({
      conversations: this.#withConversation(result.conversation),
      // The answer's conversation may be older than a conversation:updated that came first.
      conversation: switched ? result.conversation : current,
      messages,
      agentTyping: switched ? null : this.#state.agentTyping,
    });
    // Unless its live event came first.
    if (messages !== known) this.#events.message(result.message);
  }

  /** The visitor's conversations with this one added or replaced, newest first. */
  #withConversation(conversation: ConversationDTO): ConversationDTO[] {
    return newestFirst([conversation, ...this.#state.conversations.filter((c) => c.id !== conversation.id)]);
  }

  #applyConversation(conversation: ConversationDTO): void {
    const onScreen = this.#state.conversation?.id === conversation.id;
    this.#update({
      conversations: this.#withConversation(conversation),
      ...(onScreen && { conversation }),
    });
  }

  #update(patch: Partial<VisitorChatState>): void {
    const next = { ...this.#state, ...patch };
    next.unread = this.#unreadAfterSeeing(next);
    this.#state = next;
    for (const listener of this.#listeners) listener(this.#state);
  }

  /**
   * Agent messages after the visitor's read mark are unread, unless the visitor sees them now: then
   * they are marked read (the server tells the agents) and none is unread.
   */
  #unreadAfterSeeing({ conversation, messages, seeing, connection }: VisitorChatState): number {
    if (!conversation) return 0;
    if (this.#read.conversationId !== conversation.id) this.#read = { conversationId: conversation.id, seq: 0 };
    const readSeq = Math.max(conversation.visitorReadSeq, this.#read.seq);
    const unseen = messages.filter((m) => m.authorKind === 'agent' && m.seq > readSeq).length;
    if (!unseen || !seeing || connection !== 'online') return unseen;
    const seq = lastSeq(messages);
    this.#read.seq = seq;
    this.#request('conversation:read', { conversationId: conversation.id, seq }).catch(() => {
      this.#read.seq = readSeq; // counted unread again, so the next look retries
    });
    return 0;
  }
}
