/**
 * What a correct widget or console does over an unreliable connection, as a reusable test client over
 * socket.io-client (WebSocket only, reconnection on):
 * - an outbox: every message gets a fixed clientId and is resent with it after a reconnect, an ack timeout
 *   or a retryable error ack (UNAVAILABLE, INTERNAL; RATE_LIMITED after retryAfterMs), never after
 *   BAD_REQUEST or another refusal. One message in flight per conversation, so a retry never overtakes
 *   the message typed after it.
 * - a transcript per conversation keyed by seq (duplicates collapse), and on every (re)connect a catch-up
 *   `history:get {afterSeq}` from the point below which nothing can be missing. A live `message:new` may
 *   arrive before the catch-up answer: it is kept, but moves that point only when it is contiguous.
 */
import { io, type Socket } from 'socket.io-client';
import type { ConversationDTO, ConversationSummaryDTO, HistoryPage, MessageDTO, QueuePositionDTO } from '../../server/contract/dto.ts';
import type { Ack, ErrorCode } from '../../server/contract/errors.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { AgentSession, VisitorSessionResponse } from '../../server/contract/http.ts';

const ACK_TIMEOUT_MS = 10_000;
/** A connection attempt that gets no answer (e.g. blackholed) is given up after this long (Socket.IO: 20 s). */
const CONNECT_TIMEOUT_MS = 8_000;
const START_TIMEOUT_MS = 15_000;
const HISTORY_PAGE = 100;
const MAX_HISTORY_PAGES = 1000;
const MAX_SEND_ATTEMPTS = 500;
const MAX_CATCH_UP_ATTEMPTS = 30;
const MAX_HANDSHAKE_RETRIES = 500;
/** Codes after which the same message is sent again (same clientId); anything else is final. */
const RETRYABLE = new Set<ClientErrorCode>(['UNAVAILABLE', 'INTERNAL', 'RATE_LIMITED', 'TIMEOUT', 'DISCONNECTED']);

/** Server codes plus what the client itself concludes: no ack in time, or the connection dropped. */
export type ClientErrorCode = ErrorCode | 'TIMEOUT' | 'DISCONNECTED';
export type Outcome<T> = { ok: true; data: T } | { ok: false; error: { code: ClientErrorCode; message: string; retryAfterMs?: number } };

export interface OutgoingMessage {
  clientId: string;
  /** Unknown for a visitor's first message: the server opens the conversation. */
  conversationId: string | undefined;
  body: string;
  note: boolean;
  state: 'pending' | 'acked' | 'refused' | 'abandoned';
  attempts: number;
  /** What each failed attempt got, in order (server codes, TIMEOUT, DISCONNECTED). */
  failures: ClientErrorCode[];
  /** Backoff: not sent again before this time. */
  notBefore: number;
  /** The stored message, from the ok ack, and when that ack came. */
  stored?: MessageDTO;
  ackedAt?: number;
  refusal?: { code: ClientErrorCode; message: string };
}

export interface ClientStats {
  connects: number;
  /** By reason, as Socket.IO names it (transport close, ping timeout, io client disconnect...). */
  disconnects: Record<string, number>;
  handshakeRefusals: number;
  attempts: number;
  resends: number;
  /** Error acks (and local timeouts / drops) by code, for sends and catch-ups. */
  errors: Partial<Record<ClientErrorCode, number>>;
  catchUps: number;
}

/** One conversation as this client knows it. */
export class Transcript {
  readonly bySeq = new Map<number, MessageDTO>();
  /** Every message up to this seq is known (or invisible to this side): where a catch-up starts. */
  caughtUp = 0;
  /** A seq that arrived twice with different message ids: the server renumbered or reordered. */
  readonly conflicts: string[] = [];

  /** A live event or an ack: kept; moves the catch-up point only if contiguous. */
  receive(message: MessageDTO): void {
    const known = this.bySeq.get(message.seq);
    if (known && known.id !== message.id) this.conflicts.push(`seq ${message.seq}: ${known.id} then ${message.id}`);
    if (!known) this.bySeq.set(message.seq, message);
    while (this.bySeq.has(this.caughtUp + 1)) this.caughtUp++;
  }

  /** A history page answers for everything up to its last message (gaps are messages this side cannot see). */
  page(messages: MessageDTO[]): void {
    for (const message of messages) this.receive(message);
    const last = messages[messages.length - 1];
    if (last) this.caughtUp = Math.max(this.caughtUp, last.seq);
    while (this.bySeq.has(this.caughtUp + 1)) this.caughtUp++;
  }

  ordered(): MessageDTO[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}

export interface ClientOptions {
  /** Where to connect, e.g. http://127.0.0.1:41234 (possibly a proxy in front of the server). */
  url: string;
  /** The Origin header sent with every request and handshake. */
  origin: string;
  /** For messages and reports. */
  name: string;
}

export abstract class ResilientClient {
  readonly transcripts = new Map<string, Transcript>();
  /** Every message this client was asked to send, by clientId, in the order asked. */
  readonly sent = new Map<string, OutgoingMessage>();
  readonly stats: ClientStats = { connects: 0, disconnects: {}, handshakeRefusals: 0, attempts: 0, resends: 0, errors: {}, catchUps: 0 };
  protected socket!: Socket;
  protected token = '';
  private readonly outbox = new Map<string, OutgoingMessage[]>();
  private readonly inFlight = new Set<string>();
  /** Catch-ups and resyncs running, by key; true when another run was asked for meanwhile. */
  private readonly running = new Map<string, boolean>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private handshakeRetries = 0;
  /** When the pump wakes for the next backoff that ends (one timer, not one per call). */
  private wakeAt = Infinity;
  private closed = false;

  protected constructor(
    readonly options: ClientOptions,
    private readonly namespace: '/visitor' | '/agent',
  ) {}

  /** A fresh token: a visitor session or an agent login. */
  protected abstract fetchToken(): Promise<string>;
  /** After every (re)connect: learn the conversations to follow and catch them up; false to try again. */
  protected abstract resync(): Promise<boolean>;
  /** Messages in one queue are sent one at a time, in order. */
  protected abstract outboxKey(message: OutgoingMessage): string;
  protected abstract sendPayload(message: OutgoingMessage): Record<string, unknown>;

  async start(): Promise<void> {
    this.token = await this.fetchToken();
    this.socket = io(`${this.options.url}${this.namespace}`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 2000,
      timeout: CONNECT_TIMEOUT_MS,
      auth: (cb) => cb({ token: this.token }),
      extraHeaders: { origin: this.options.origin },
    });
    this.socket.on('connect', () => {
      this.stats.connects++;
      this.handshakeRetries = 0;
      void this.exclusive('resync', () => this.resyncWithRetries());
      this.pump();
    });
    this.socket.on('disconnect', (reason) => {
      this.stats.disconnects[reason] = (this.stats.disconnects[reason] ?? 0) + 1;
      // The server said goodbye: Socket.IO does not come back by itself then.
      if (reason === 'io server disconnect') this.later(500, () => this.reconnect());
    });
    this.socket.on('connect_error', (error) => this.handshakeFailed(error));
    const receive = (message: MessageDTO) => this.transcript(message.conversationId).receive(message);
    this.socket.on('message:new', receive);
    this.socket.on('messages:new', (messages: MessageDTO[]) => messages.forEach(receive)); // an agent's, in batches
    this.listen(this.socket);
    await this.until(() => this.socket.connected, START_TIMEOUT_MS, 'first connection');
  }

  /** Extra server events a subclass follows. */
  protected listen(_socket: Socket): void {}

  /** Follows any server event too (e.g. agents:updated), across reconnects. */
  on(event: string, listener: (...args: any[]) => void): void {
    this.socket.on(event, listener);
  }

  get connected(): boolean {
    return !this.closed && this.socket.connected;
  }

  /** Nothing left to send or to catch up, and connected. */
  get idle(): boolean {
    return this.connected && this.inFlight.size === 0 && this.running.size === 0 && [...this.outbox.values()].every((q) => q.length === 0);
  }

  get unsent(): number {
    return [...this.outbox.values()].reduce((n, q) => n + q.length, 0);
  }

  transcript(conversationId: string): Transcript {
    let transcript = this.transcripts.get(conversationId);
    if (!transcript) this.transcripts.set(conversationId, (transcript = new Transcript()));
    return transcript;
  }

  /** The transport drops without a goodbye; Socket.IO reconnects by itself. */
  dropTransport(): void {
    if (this.socket.connected) this.socket.io.engine.close();
  }

  /** A clean disconnect (the namespace says goodbye), then connect again after `pauseMs`. */
  bounce(pauseMs: number): void {
    if (!this.socket.connected) return;
    this.socket.disconnect();
    this.later(pauseMs, () => this.reconnect());
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.socket?.disconnect();
  }

  /** The whole conversation from the server, from scratch (not from the transcript). */
  async fetchAll(conversationId: string): Promise<MessageDTO[]> {
    const all: MessageDTO[] = [];
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const answer = await this.request<HistoryPage>('history:get', { conversationId, afterSeq: all.at(-1)?.seq ?? 0, limit: HISTORY_PAGE });
      if (!answer.ok) throw new Error(`${this.options.name}: history:get ${conversationId}: ${answer.error.code} ${answer.error.message}`);
      all.push(...answer.data.messages);
      if (!answer.data.hasMore) return all;
    }
    throw new Error(`${this.options.name}: history of ${conversationId} longer than ${MAX_HISTORY_PAGES} pages`);
  }

  /** Emits a command; resolves with its ack, or TIMEOUT / DISCONNECTED. Never rejects. */
  request<T>(event: string, payload: unknown, timeoutMs = ACK_TIMEOUT_MS): Promise<Outcome<T>> {
    if (!this.connected) return Promise.resolve(localError('DISCONNECTED', 'not connected'));
    return new Promise((resolve) => {
      this.socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, ack: Ack<T>) => {
        if (!err) return resolve(ack);
        resolve(localError(/disconnected/.test(err.message) ? 'DISCONNECTED' : 'TIMEOUT', err.message));
      });
    });
  }

  // --- sending -----------------------------------------------------------------------------------

  protected enqueue(conversationId: string | undefined, body: string, note = false): OutgoingMessage {
    const message: OutgoingMessage = { clientId: crypto.randomUUID(), conversationId, body, note, state: 'pending', attempts: 0, failures: [], notBefore: 0 };
    this.sent.set(message.clientId, message);
    const key = this.outboxKey(message);
    const queue = this.outbox.get(key) ?? [];
    queue.push(message);
    this.outbox.set(key, queue);
    this.pump();
    return message;
  }

  /** Sends the head of every queue that is not waiting for an ack or a backoff. */
  protected pump(): void {
    if (!this.connected) return;
    const now = Date.now();
    let wakeAt = Infinity;
    for (const [key, queue] of this.outbox) {
      const head = queue[0];
      if (!head || this.inFlight.has(key)) continue;
      if (head.notBefore > now) wakeAt = Math.min(wakeAt, head.notBefore);
      else this.attempt(key, head);
    }
    if (wakeAt < this.wakeAt) {
      this.wakeAt = wakeAt;
      this.later(wakeAt - now, () => {
        this.wakeAt = Infinity;
        this.pump();
      });
    }
  }

  private attempt(key: string, message: OutgoingMessage): void {
    this.inFlight.add(key);
    message.attempts++;
    this.stats.attempts++;
    if (message.attempts > 1) this.stats.resends++;
    void this.request<SendResult>('message:send', this.sendPayload(message)).then((answer) => {
      this.inFlight.delete(key);
      this.settle(key, message, answer);
      this.pump();
    });
  }

  private settle(key: string, message: OutgoingMessage, answer: Outcome<SendResult>): void {
    const queue = this.outbox.get(key)!;
    if (answer.ok) {
      message.state = 'acked';
      message.stored = answer.data.message;
      message.ackedAt = Date.now();
      queue.shift();
      this.acked(answer.data);
      this.transcript(answer.data.message.conversationId).receive(answer.data.message);
      return;
    }
    const { code, retryAfterMs } = answer.error;
    this.count(code);
    message.failures.push(code);
    if (RETRYABLE.has(code) && message.attempts < MAX_SEND_ATTEMPTS) {
      // Dropped: sent again as soon as the connection is back (the pump runs on connect).
      message.notBefore = code === 'DISCONNECTED' ? 0 : Date.now() + (retryAfterMs ?? backoff(message.attempts));
      return;
    }
    message.state = RETRYABLE.has(code) ? 'abandoned' : 'refused';
    message.refusal = answer.error;
    queue.shift();
  }

  /** A send was stored: subclasses learn conversation ids from it. */
  protected acked(_result: SendResult): void {}

  // --- catching up -------------------------------------------------------------------------------

  /** Fetches what was missed in one conversation. */
  protected catchUp(conversationId: string): Promise<void> {
    return this.exclusive(`history ${conversationId}`, () => this.fetchMissed(conversationId));
  }

  /** One run of `task` per key at a time; asked again meanwhile, it runs once more after. */
  private async exclusive(key: string, task: () => Promise<void>): Promise<void> {
    if (this.running.has(key)) {
      this.running.set(key, true);
      return;
    }
    try {
      do {
        this.running.set(key, false);
        await task();
      } while (this.running.get(key) && this.connected);
    } finally {
      this.running.delete(key);
    }
  }

  private async resyncWithRetries(): Promise<void> {
    for (let attempt = 1; attempt <= MAX_CATCH_UP_ATTEMPTS && this.connected; attempt++) {
      if (await this.resync()) return;
      await this.pause(backoff(attempt));
    }
  }

  private async fetchMissed(conversationId: string): Promise<void> {
    const transcript = this.transcript(conversationId);
    this.stats.catchUps++;
    for (let attempt = 1, page = 0; page < MAX_HISTORY_PAGES && attempt <= MAX_CATCH_UP_ATTEMPTS; ) {
      const answer = await this.request<HistoryPage>('history:get', { conversationId, afterSeq: transcript.caughtUp, limit: HISTORY_PAGE });
      if (answer.ok) {
        transcript.page(answer.data.messages);
        if (!answer.data.hasMore) return;
        page++;
        continue;
      }
      this.count(answer.error.code);
      // Disconnected: the next connect starts a new catch-up. Refused: nothing a retry can change.
      if (answer.error.code === 'DISCONNECTED' || !RETRYABLE.has(answer.error.code)) return;
      await this.pause(answer.error.retryAfterMs ?? backoff(attempt++));
    }
  }

  // --- connection --------------------------------------------------------------------------------

  /** A refused handshake (middleware error) is not retried by Socket.IO: get a new token if needed, retry. */
  private handshakeFailed(error: Error): void {
    if (this.socket.active || this.closed) return; // a transport error: Socket.IO retries by itself
    this.stats.handshakeRefusals++;
    if (++this.handshakeRetries > MAX_HANDSHAKE_RETRIES) return;
    const code = (error as Error & { data?: { code?: string } }).data?.code;
    this.later(backoff(this.handshakeRetries), async () => {
      if (code === 'UNAUTHORIZED') this.token = await this.fetchToken().catch(() => this.token);
      this.reconnect();
    });
  }

  private reconnect(): void {
    if (!this.closed && !this.socket.connected && !this.socket.active) this.socket.connect();
  }

  private count(code: ClientErrorCode): void {
    this.stats.errors[code] = (this.stats.errors[code] ?? 0) + 1;
  }

  protected later(ms: number, run: () => void | Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) void run();
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private async until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`${this.options.name}: no ${what} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  protected async post<T>(path: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.options.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.options.origin },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`${this.options.name}: POST ${path} ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }
}

export class ResilientVisitor extends ResilientClient {
  /** The open conversation, once known (from an ack or the list). */
  conversationId: string | undefined;
  visitorId = '';
  readonly positions: QueuePositionDTO[] = [];

  constructor(
    options: ClientOptions,
    private readonly siteKey: string,
  ) {
    super(options, '/visitor');
  }

  send(body: string): OutgoingMessage {
    return this.enqueue(this.conversationId, body);
  }

  protected override async fetchToken(): Promise<string> {
    // The same visitor again when the old token is still good, as the loader does.
    const session = await this.post<VisitorSessionResponse>('/api/widget/session', { siteKey: this.siteKey, ...(this.token && { token: this.token }) });
    this.visitorId = session.visitorId;
    return session.token;
  }

  protected override listen(socket: Socket): void {
    socket.on('queue:position', (position: QueuePositionDTO) => this.positions.push(position));
  }

  protected override async resync(): Promise<boolean> {
    const list = await this.request<ConversationDTO[]>('conversation:list', {});
    if (!list.ok) return false;
    for (const conversation of list.data) this.transcript(conversation.id);
    this.conversationId ??= list.data.find((c) => c.status !== 'resolved')?.id;
    await Promise.all([...this.transcripts.keys()].map((id) => this.catchUp(id)));
    return true;
  }

  protected override acked(result: SendResult): void {
    this.conversationId ??= result.conversation.id;
  }

  /** A visitor's messages form one queue: the first opens the conversation the next ones go to. */
  protected override outboxKey(): string {
    return 'visitor';
  }

  protected override sendPayload(message: OutgoingMessage): Record<string, unknown> {
    message.conversationId ??= this.conversationId;
    const { clientId, body, conversationId } = message;
    return { clientId, body, ...(conversationId && { conversationId }) };
  }
}

export class ResilientAgent extends ResilientClient {
  agentId = '';
  /** Conversations assigned to this agent now, as far as it knows: the ones it follows and answers. */
  readonly mine = new Set<string>();
  /** Newest lastSeq seen per conversation update, so a late update cannot undo a newer one. */
  private readonly updateSeq = new Map<string, number>();

  constructor(
    options: ClientOptions,
    private readonly credentials: { email: string; password: string },
  ) {
    super(options, '/agent');
  }

  send(conversationId: string, body: string, note = false): OutgoingMessage {
    return this.enqueue(conversationId, body, note);
  }

  protected override async fetchToken(): Promise<string> {
    const session = await this.post<AgentSession>('/api/auth/login', this.credentials);
    this.agentId = session.agent.id;
    return session.accessToken;
  }

  protected override listen(socket: Socket): void {
    socket.on('conversations:updated', (conversations: ConversationSummaryDTO[]) => {
      for (const conversation of conversations) {
        if ((this.updateSeq.get(conversation.id) ?? -1) > conversation.lastSeq) continue;
        this.updateSeq.set(conversation.id, conversation.lastSeq);
        // A new conversation's first message reaches agents inside its summary.
        if (conversation.lastMessage) this.transcript(conversation.id).receive(conversation.lastMessage);
        this.follow(conversation.id, conversation.status === 'active' && conversation.assignee?.id === this.agentId);
      }
    });
  }

  protected override async resync(): Promise<boolean> {
    const list = await this.request<ConversationSummaryDTO[]>('conversation:list', { view: 'mine', limit: 200 });
    if (!list.ok) return false;
    const ids = new Set(list.data.map((c) => c.id));
    for (const id of this.mine) if (!ids.has(id)) this.mine.delete(id);
    for (const id of ids) this.mine.add(id);
    await Promise.all([...ids].map((id) => this.catchUp(id)));
    return true;
  }

  private follow(conversationId: string, assigned: boolean): void {
    if (!assigned) {
      this.mine.delete(conversationId);
    } else if (!this.mine.has(conversationId)) {
      this.mine.add(conversationId);
      void this.catchUp(conversationId);
    }
  }

  protected override outboxKey(message: OutgoingMessage): string {
    return message.conversationId!;
  }

  protected override sendPayload(message: OutgoingMessage): Record<string, unknown> {
    const { clientId, body, conversationId, note } = message;
    return { clientId, body, conversationId, ...(note && { note }) };
  }
}

function localError(code: 'TIMEOUT' | 'DISCONNECTED', message: string): Outcome<never> {
  return { ok: false, error: { code, message } };
}

/** 250 ms doubling to 4 s, with jitter so clients do not retry in step. */
function backoff(attempt: number): number {
  return Math.min(4000, 250 * 2 ** Math.min(attempt - 1, 4)) * (0.5 + Math.random() / 2);
}
