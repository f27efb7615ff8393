/**
 * One live connection to the chat server, the same for the widget frame (/visitor) and the console (/agent):
 * the socket and its commands, the one token renewal after a refused handshake, another try after a refusal
 * for now (HandshakeRetry), reconnecting after `session:ended`, the outbox sent only while connected,
 * catching up a conversation with `history:get {afterSeq}`, uploads, and a typing notifier per conversation.
 * What differs (namespace, token source, what to do once connected) comes in as options.
 */
import { io, type Socket } from 'socket.io-client';
import type { AttachmentDTO, HistoryPage, MessageDTO } from '../server/contract/dto.ts';
import type { ApiError, AckCallback } from '../server/contract/errors.ts';
import type { HISTORY_PAGE_MAX, HistoryRequest, TypingRequest } from '../server/contract/events.ts';
import { HandshakeRetry } from './handshake-retry.ts';
import { lastSeq } from './messages.ts';
import { AckError, isUnauthorized, requester, type Requester } from './request.ts';
import { reconnectWhenSessionEnds } from './session-end.ts';
import { TypingNotifier } from './typing-notifier.ts';
import { uploadAttachment } from './uploads.ts';

/** `unavailable`: the server refused even a freshly renewed token, so the client stops trying. */
export type Connection = 'connecting' | 'online' | 'reconnecting' | 'unavailable';

/** The commands and events both namespaces have, which the session itself uses. */
interface SessionCommands {
  'history:get': (req: HistoryRequest, ack: AckCallback<HistoryPage>) => void;
  typing: (req: TypingRequest, ack: AckCallback<null>) => void;
}
interface SessionEvents {
  'session:ended': (reason: ApiError) => void;
}

// Catch-up asks for the largest page the server gives; the type ties it to the server's limit.
const CATCH_UP_PAGE: typeof HISTORY_PAGE_MAX = 100;

export interface LiveSessionOptions {
  namespace: '/visitor' | '/agent';
  /** Read on every (re)connect and upload, so both use the latest token. */
  token(): string | undefined;
  /** The server refused the token: get a new one; resolves true once `token()` returns it. */
  renewToken(): Promise<boolean>;
  /** Messages written but not stored yet: they go only while connected. */
  outbox: { online(): void; offline(): void };
  connection(state: Connection): void;
  /** Connected (again): fetch what was missed. Runs before the outbox goes online. */
  connected(): void;
  disconnected(): void;
  /** Whether typing previews (the draft itself) are sent: the site's setting, for visitors only. */
  typingPreview?: boolean;
}

type Command = (request: never, ack: never) => void;

export class LiveSession<Listen extends SessionEvents, Commands extends SessionCommands & { [K in keyof Commands]: Command }> {
  readonly socket: Socket<Listen, Commands>;
  readonly request: Requester<Commands>;
  readonly #options: LiveSessionOptions;
  readonly #handshakeRetry: HandshakeRetry;
  readonly #typing = new Map<string, TypingNotifier>();
  /** Set once a refused token was renewed, until connected: a second refusal means unavailable. */
  #renewed = false;

  constructor(options: LiveSessionOptions) {
    this.#options = options;
    // The function form of `auth` is read on every (re)connect, so it always sends the latest token.
    this.socket = io(options.namespace, { transports: ['websocket'], auth: (send) => send({ token: options.token() }) });
    this.request = requester(this.socket);
    this.#handshakeRetry = new HandshakeRetry(this.socket);
    reconnectWhenSessionEnds(this.socket as unknown as Socket<SessionEvents, never>);
    this.#listen();
  }

  /** A new token is there: connect with it, unless already connected or connecting. */
  reconnect(): void {
    this.#handshakeRetry.reset();
    if (!this.socket.active) this.socket.connect();
  }

  /** Another identity on the same socket (the widget's identify): a new handshake with the current token. */
  restart(): void {
    this.socket.disconnect().connect();
  }

  close(): void {
    for (const notifier of this.#typing.values()) notifier.stop();
    this.#options.outbox.offline();
    this.#handshakeRetry.reset();
    this.socket.disconnect();
  }

  /** Every message of the conversation after `afterSeq`, page by page. */
  async historyAfter(conversationId: string, afterSeq: number): Promise<MessageDTO[]> {
    const request = this.request as unknown as Requester<SessionCommands>;
    const missed: MessageDTO[] = [];
    for (let after = afterSeq; ; after = lastSeq(missed)) {
      const page = await request('history:get', { conversationId, afterSeq: after, limit: CATCH_UP_PAGE });
      missed.push(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return missed;
    }
  }

  /** Uploads a file; a refused token is renewed once and the upload tried again. */
  async upload(file: File, conversationId: string | null): Promise<AttachmentDTO> {
    try {
      return await uploadAttachment(this.#options.token(), file, conversationId);
    } catch (error) {
      if (!(error instanceof AckError && error.code === 'UNAUTHORIZED') || !(await this.#options.renewToken())) throw error;
      return uploadAttachment(this.#options.token(), file, conversationId);
    }
  }

  /** The draft in a conversation changed: tells the other side, throttled (see TypingNotifier). */
  draft(conversationId: string, text: string): void {
    this.#typingIn(conversationId).draft(text);
  }

  /** Sent, left or closed: "stopped typing", if the other side was told otherwise. */
  stopTyping(conversationId: string): void {
    this.#typing.get(conversationId)?.stop();
  }

  #typingIn(conversationId: string): TypingNotifier {
    let notifier = this.#typing.get(conversationId);
    if (!notifier) {
      const request = this.request as unknown as Requester<SessionCommands>;
      const emit = (typing: boolean, preview?: string) => void request('typing', { conversationId, typing, preview }).catch(() => undefined);
      notifier = new TypingNotifier(emit, this.#options.typingPreview ?? false);
      this.#typing.set(conversationId, notifier);
    }
    return notifier;
  }

  #listen(): void {
    const socket = this.socket as unknown as Socket<SessionEvents, never>;
    const options = this.#options;
    socket.on('connect', () => {
      this.#renewed = false;
      this.#handshakeRetry.reset();
      options.connection('online');
      options.connected();
      options.outbox.online();
    });
    socket.on('disconnect', () => {
      options.outbox.offline();
      options.disconnected();
      options.connection('reconnecting');
    });
    socket.on('connect_error', async (error) => {
      // Socket.IO retries network errors by itself; an inactive socket means the server refused us.
      if (socket.active) return;
      if (this.#handshakeRetry.retryIfTransient(error)) return options.connection('reconnecting');
      if (!isUnauthorized(error) || this.#renewed) return options.connection('unavailable');
      this.#renewed = true;
      if (await options.renewToken()) this.reconnect();
    });
  }
}
