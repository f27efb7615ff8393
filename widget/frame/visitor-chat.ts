/**
 * The visitor's side of the chat, independent of the view: one live session to /visitor, the visitor's
 * conversations, the one on screen with its transcript, the messages on their way, the queue position,
 * read receipts and typing. The view subscribes to immutable snapshots of the state.
 */
import type { ArticleSuggestionDTO } from '../../server/contract/knowledge-base.ts';
import type { AttachmentDTO, ConversationDTO, MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult, VisitorClientToServer, VisitorServerToClient, VisitorUpdateRequest } from '../../server/contract/events.ts';
import type { Identity, VisitorAttributes } from '../bridge.ts';
import { newClientId } from '../../client/client-id.ts';
import { LiveSession } from '../../client/live-session.ts';
import { CatchUpPoint, lastSeq, mergeMessages } from '../../client/messages.ts';
import { browserStorage, Outbox } from '../../client/outbox.ts';
import type { AckError } from '../../client/request.ts';
import { PageFacts, type PageContext } from './page-facts.ts';
import { initialVisitorState, newestFirst, unreadOf, withConversation, type VisitorChatState, type VisitorUnsent } from './visitor-state.ts';

/** An agent's typing indicator is dropped when no refresh comes for this long. */
const AGENT_TYPING_TIMEOUT_MS = 6000;

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
  #state: VisitorChatState = initialVisitorState;
  readonly #listeners = new Set<(state: VisitorChatState) => void>();
  readonly #live: LiveSession<VisitorServerToClient, VisitorClientToServer>;
  readonly #events: VisitorChatEvents;
  readonly #catchUp = new CatchUpPoint();
  readonly #outbox: Outbox<VisitorUnsent, SendResult>;
  #token: string;
  /** Renewals waiting for the loader's next token (see `setToken`). */
  readonly #tokenWaiters: ((renewed: boolean) => void)[] = [];
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
    this.#outbox = new Outbox<VisitorUnsent, SendResult>({
      storage: browserStorage(),
      key: `parley:outbox:${options.siteKey}`,
      owner: tokenSubject(token),
      deliver: (entry) => this.#deliver(entry),
      stored: (result, entry) => this.#stored(result, entry),
      onChange: (outgoing) => this.#update({ outgoing }),
    });
    this.#update({ outgoing: this.#outbox.pending });
    this.#live = new LiveSession({
      namespace: '/visitor',
      token: () => this.#token,
      // The loader gets the new token (a new session when the old one is refused) and passes it to setToken.
      renewToken: () =>
        new Promise((resolve) => {
          if (this.#tokenWaiters.push(resolve) === 1) this.#events.tokenRejected();
        }),
      outbox: this.#outbox,
      typingPreview: options.typingPreview,
      connection: (connection) => {
        this.#update({ connection });
        this.#markSeen();
      },
      connected: () => {
        this.#facts.online();
        void this.#sync();
      },
      disconnected: () => {
        this.#facts.offline();
        this.#catchUp.disconnected();
      },
    });
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
    for (const renewed of this.#tokenWaiters.splice(0)) renewed(true);
    this.#live.reconnect();
  }

  setSeeing(seeing: boolean): void {
    this.#update({ seeing });
    this.#markSeen();
  }

  send(body: string, attachments: AttachmentDTO[] = []): void {
    this.draft('');
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

  /** The message box changed: agents see the visitor typing (and the draft, when the site shares it). */
  draft(text: string): void {
    const open = this.#openConversation();
    if (open) this.#live.draft(open.id, text);
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
    this.#applyConversation(await this.#live.request('conversation:rate', { conversationId: conversation.id, rating, comment: trimmed || undefined }));
  }

  /** Emails the conversation's transcript to the visitor's known address; resolves with that address. */
  async emailTranscript(conversationId: string): Promise<string> {
    return (await this.#live.request('conversation:emailTranscript', { conversationId })).email;
  }

  /** "Talk to a person": the bot holding the conversation hands it to the human queue. */
  async talkToPerson(): Promise<void> {
    const conversation = this.#state.conversation;
    if (conversation) this.#applyConversation(await this.#live.request('conversation:handoff', { conversationId: conversation.id }));
  }

  /** Name, email (pre-chat and offline forms) or the page's custom attributes. */
  async updateVisitor(update: VisitorUpdateRequest): Promise<void> {
    this.#update({ visitor: await this.#live.request('visitor:update', update) });
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
    const result = await this.#live.request('visitor:identify', {
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
    this.#live.restart();
  }

  /** Another visitor from now on: what was written goes with the person; the next connect shows their conversations. */
  #becomeVisitor(visitorId: string): void {
    this.#outbox.setOwner(visitorId);
    this.#choice = { kind: 'latest' };
    this.#catchUp.reset();
    this.#update({ conversations: [], conversation: null, messages: [], agentTyping: null });
  }

  upload(file: File): Promise<AttachmentDTO> {
    return this.#live.upload(file, this.#openConversation()?.id ?? null);
  }

  /** Published articles of the site matching what the visitor is typing (the server rate-limits per visitor). */
  async articles(query: string): Promise<ArticleSuggestionDTO[]> {
    const response = await fetch(`/api/widget/articles?${new URLSearchParams({ q: query, limit: '3' })}`, { headers: { authorization: `Bearer ${this.#token}` } });
    return response.ok ? ((await response.json()) as ArticleSuggestionDTO[]) : [];
  }

  /** The conversation on screen, if messages can still go to it. */
  #openConversation(): ConversationDTO | null {
    const { conversation } = this.#state;
    return conversation && conversation.status !== 'resolved' ? conversation : null;
  }

  #listen(): void {
    const socket = this.#live.socket;
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
    this.#markSeen();
    this.#events.message(message);
  }

  /** On every (re)connect, and when the conversation on screen changes: fetch what this page has not seen. */
  async #sync(): Promise<void> {
    try {
      const conversations = newestFirst(await this.#live.request('conversation:list', {}));
      const choice = this.#choice;
      const target =
        choice.kind === 'new' ? null : ((choice.kind === 'chosen' && conversations.find((c) => c.id === choice.id)) || conversations[0] || null);
      if (!target) return this.#update({ conversations });
      const known = this.#state.conversation?.id === target.id;
      const missed = known
        ? await this.#live.historyAfter(target.id, this.#catchUp.seq)
        : (await this.#live.request('history:get', { conversationId: target.id })).messages;
      const stillKnown = this.#state.conversation?.id === target.id;
      if (!stillKnown) this.#catchUp.reset();
      this.#catchUp.caughtUp(missed);
      this.#update({
        conversations,
        conversation: target,
        messages: mergeMessages(stillKnown ? this.#state.messages : [], missed),
        agentTyping: stillKnown ? this.#state.agentTyping : null,
      });
      this.#markSeen();
    } catch (error) {
      console.warn('[Parley] could not load the conversation:', error); // the next reconnect tries again
    }
  }

  /** Sends one message of the outbox; throws when the server did not store it. */
  #deliver({ clientId, conversationId, newConversation, body, attachments }: VisitorUnsent): Promise<SendResult> {
    return this.#live.request('message:send', {
      conversationId: conversationId ?? undefined,
      newConversation: (!conversationId && newConversation) || undefined,
      clientId,
      body,
      attachmentIds: attachments.length ? attachments.map((a) => a.id) : undefined,
    });
  }

  /** The outbox's answer for a message the server stored (already out of the outbox). */
  #stored(result: SendResult, { clientId }: VisitorUnsent): void {
    // Messages written before the conversation existed join the one this message started or joined.
    for (const waiting of this.#outbox.pending) {
      if (waiting.conversationId === null && waiting.clientId !== clientId) this.#outbox.update(waiting.clientId, { conversationId: result.conversation.id });
    }
    this.#choice = { kind: 'chosen', id: result.conversation.id };
    const current = this.#state.conversation;
    const switched = current?.id !== result.conversation.id;
    if (switched) this.#catchUp.reset();
    const known = switched ? [] : this.#state.messages;
    const messages = mergeMessages(known, [result.message]);
    this.#update({
      conversations: withConversation(this.#state.conversations, result.conversation),
      // The answer's conversation may be older than a conversation:updated that came first.
      conversation: switched ? result.conversation : current,
      messages,
      agentTyping: switched ? null : this.#state.agentTyping,
    });
    // Unless its live event came first.
    if (messages !== known) this.#events.message(result.message);
  }

  #applyConversation(conversation: ConversationDTO): void {
    const onScreen = this.#state.conversation?.id === conversation.id;
    this.#update({
      conversations: withConversation(this.#state.conversations, conversation),
      ...(onScreen && { conversation }),
    });
  }

  #update(patch: Partial<VisitorChatState>): void {
    const next = { ...this.#state, ...patch };
    next.unread = unreadOf(next, this.#read);
    this.#state = next;
    for (const listener of this.#listeners) listener(this.#state);
  }

  /**
   * Agent messages on screen while the visitor sees them are read: marked here and told to the server (which
   * tells the agents). Called where what is on screen, or whether it is seen, changed.
   */
  #markSeen(): void {
    const { conversation, messages, seeing, connection, unread } = this.#state;
    if (!conversation || !unread || !seeing || connection !== 'online') return;
    const before = this.#read;
    this.#read = { conversationId: conversation.id, seq: lastSeq(messages) };
    this.#update({});
    this.#live.request('conversation:read', { conversationId: conversation.id, seq: this.#read.seq }).catch(() => {
      if (this.#read.conversationId !== conversation.id) return;
      this.#read = before; // counted unread again, so the next look retries
      this.#update({});
    });
  }
}
