/**
 * Messages written but not yet stored by the server, shared by the widget and the console. They are
 * kept in localStorage so they survive a reload, and sent one at a time in the order written, each
 * with its client id: the server stores a resent message once, so resending after a reload, a lost
 * answer or from two tabs never makes a second one.
 *
 * One outbox per key and owner (a visitor of a site, an agent): a record left under the key by another
 * owner is forgotten, e.g. the widget's next visitor after `Parley.shutdown()`. Without storage
 * (disabled, blocked in a third-party frame, full) the outbox works in memory, for this page only.
 */
import type { OutgoingMessage } from './messages.ts';
import { AckError, isTransient } from './request.ts';

/** What is kept of a message written: enough to show it and send it again after a reload. */
export interface Unsent {
  clientId: string;
  body: string;
  /** Epoch ms. */
  createdAt: number;
}

export type Pending<E extends Unsent> = E & Pick<OutgoingMessage, 'status' | 'error'>;

type Failure = NonNullable<OutgoingMessage['error']>;

/** A stored entry: `error` is set only for a failure that sending again would meet again. */
type Stored<E extends Unsent> = E & { error: Failure | null };

interface Saved<E extends Unsent> {
  owner: string;
  entries: Stored<E>[];
}

/** Bounds what is stored; messages past them are still shown and sent, they just don't outlive the page. */
export const OUTBOX_MAX_ENTRIES = 100;
export const OUTBOX_MAX_CHARS = 200_000;
/**
 * A message that failed for now (no answer, a busy server, a limit) while connected goes again after this
 * pause (or the server's retryAfterMs, when longer), doubling while sends keep failing, up to the maximum;
 * the messages after it wait. After OUTBOX_RETRY_ATTEMPTS failures in a row (about 4 minutes) the outbox
 * stops trying by itself: the message stays failed, with Retry, and the ones after it go on.
 */
export const OUTBOX_RETRY_MS = 5000;
export const OUTBOX_RETRY_MAX_MS = 60_000;
export const OUTBOX_RETRY_ATTEMPTS = 8;

export interface OutboxOptions<E extends Unsent, R> {
  storage: Storage | null;
  key: string;
  owner: string;
  /** Sends one message; resolves with the server's answer once it stored it, rejects (an AckError) when it did not. */
  deliver(entry: E): Promise<R>;
  /**
   * The server stored it: called right after the message left the outbox, in the same task, so the view
   * never shows it both as sending and in the transcript.
   */
  stored?(answer: R, entry: E): void;
  onChange(pending: readonly Pending<E>[]): void;
}

/** The page's localStorage, or null where reading it throws (storage disabled). */
export function browserStorage(): Storage | null {
  try {
    return localStorage;
  } catch {
    return null;
  }
}

export class Outbox<E extends Unsent, R = void> {
  readonly #options: OutboxOptions<E, R>;
  #owner: string;
  #pending: Pending<E>[];
  #online = false;
  #flushing = false;
  /** Pending while a message that failed for now waits to go again (and holds back the ones after it). */
  #retry: ReturnType<typeof setTimeout> | undefined;
  #failuresInRow = 0;

  constructor(options: OutboxOptions<E, R>) {
    this.#options = options;
    this.#owner = options.owner;
    const saved = this.#read();
    if (saved && saved.owner !== this.#owner) this.#write([]);
    const entries = saved?.owner === this.#owner ? saved.entries : [];
    this.#pending = entries.map((entry) => ({ ...entry, status: entry.error ? 'failed' : 'sending' }));
  }

  get pending(): readonly Pending<E>[] {
    return this.#pending;
  }

  /** A new message: shown as sending, stored, and sent once connected and its turn comes. */
  add(entry: E): void {
    this.#pending = [...this.#pending, { ...entry, status: 'sending', error: null }];
    this.#change((entries) => [...entries, { ...entry, error: null }]);
    this.#emit();
    void this.#flush();
  }

  /** Changes what will be sent (e.g. the conversation its first message started). */
  update(clientId: string, patch: Partial<E>): void {
    this.#pending = this.#pending.map((p) => (p.clientId === clientId ? { ...p, ...patch } : p));
    this.#change((entries) => entries.map((e) => (e.clientId === clientId ? { ...e, ...patch } : e)));
    this.#emit();
  }

  /** The visitor or agent asked to send a failed message again, with the same client id. */
  retry(clientId: string): void {
    if (!this.#pending.some((p) => p.clientId === clientId && p.status === 'failed')) return;
    this.#setStatus(clientId, 'sending', null);
    void this.#flush();
  }

  /** The server has the message (its answer, or its live event seen by this or another tab). */
  delivered(clientId: string): void {
    this.#change((entries) => entries.filter((e) => e.clientId !== clientId));
    if (!this.#pending.some((p) => p.clientId === clientId)) return;
    this.#pending = this.#pending.filter((p) => p.clientId !== clientId);
    this.#emit();
  }

  /** Connected: what failed for want of a connection (or a busy server: transient failures) goes again, in order. */
  online(): void {
    this.#online = true;
    this.#failuresInRow = 0;
    this.#resendFailedForNow();
  }

  offline(): void {
    this.#online = false;
    this.#cancelRetry(); // the next connect sends them again
  }

  /** The same person under another id (the widget's identify): their unsent messages go with them. */
  setOwner(owner: string): void {
    const entries = this.#stored();
    this.#owner = owner;
    this.#write(entries);
  }

  /**
   * One message at a time, oldest first, so they are stored in the order written and a first message
   * starts the conversation the next ones join. A lost connection ends the run, and so does a failure for
   * now: that message goes again after a pause, before the ones after it. What was refused for good stays
   * shown as failed (with Retry) and the run goes on.
   */
  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (let next = this.#next(); next?.status === 'sending' && this.#online; next = this.#next()) await this.#send(next);
    } finally {
      this.#flushing = false;
    }
  }

  /** The first message to send, or the one that failed for now and waits for its retry (the run stops there). */
  #next(): Pending<E> | undefined {
    const waiting = this.#retry !== undefined;
    return this.#pending.find((p) => p.status === 'sending' || (waiting && p.error !== null && isTransient(p.error)));
  }

  async #send(entry: Pending<E>): Promise<void> {
    let answer: R;
    try {
      answer = await this.#options.deliver(entry);
    } catch (error) {
      const code = error instanceof AckError ? error.code : 'INTERNAL';
      this.#setStatus(entry.clientId, 'failed', code);
      if (this.#online && isTransient(code) && ++this.#failuresInRow < OUTBOX_RETRY_ATTEMPTS) {
        this.#retryLater(error instanceof AckError ? error.retryAfterMs : undefined);
      }
      return;
    }
    this.#failuresInRow = 0;
    this.delivered(entry.clientId);
    this.#options.stored?.(answer, entry);
  }

  #retryLater(retryAfterMs: number | undefined): void {
    const pause = Math.min(OUTBOX_RETRY_MS * 2 ** (this.#failuresInRow - 1), OUTBOX_RETRY_MAX_MS);
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#resendFailedForNow(), Math.max(pause, retryAfterMs ?? 0));
  }

  /** Every message that failed for now goes again, in the order written. */
  #resendFailedForNow(): void {
    this.#cancelRetry();
    for (const p of this.#pending) if (p.error && isTransient(p.error)) this.#setStatus(p.clientId, 'sending', null);
    void this.#flush();
  }

  #cancelRetry(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #setStatus(clientId: string, status: OutgoingMessage['status'], error: Failure | null): void {
    this.#pending = this.#pending.map((p) => (p.clientId === clientId ? { ...p, status, error } : p));
    const kept = error && !isTransient(error) ? error : null;
    this.#change((entries) => entries.map((e) => (e.clientId === clientId ? { ...e, error: kept } : e)));
    this.#emit();
  }

  #stored(): Stored<E>[] {
    return this.#pending.map(({ status: _status, ...entry }) => ({
      ...(entry as unknown as Stored<E>),
      error: entry.error && !isTransient(entry.error) ? entry.error : null,
    }));
  }

  #emit(): void {
    this.#options.onChange(this.#pending);
  }

  /** Read, change, write: what another tab of the same owner stored meanwhile is kept. */
  #change(edit: (entries: Stored<E>[]) => Stored<E>[]): void {
    const saved = this.#read();
    const entries = saved?.owner === this.#owner ? saved.entries : [];
    const edited = edit(entries);
    const same = edited.length === entries.length && edited.every((e, i) => e === entries[i]);
    if (!same) this.#write(edited);
  }

  #read(): Saved<E> | null {
    try {
      const raw = this.#options.storage?.getItem(this.#options.key);
      const saved: unknown = raw ? JSON.parse(raw) : null;
      return isSaved<E>(saved) ? saved : null;
    } catch {
      return null; // unreadable or corrupt: nothing to restore
    }
  }

  #write(entries: Stored<E>[]): void {
    const { storage, key } = this.#options;
    try {
      const kept = entries.slice(0, OUTBOX_MAX_ENTRIES);
      let json = JSON.stringify({ owner: this.#owner, entries: kept } satisfies Saved<E>);
      // The oldest are kept: they are sent first.
      while (json.length > OUTBOX_MAX_CHARS && kept.length > 0) {
        kept.pop();
        json = JSON.stringify({ owner: this.#owner, entries: kept } satisfies Saved<E>);
      }
      if (kept.length === 0) storage?.removeItem(key);
      else storage?.setItem(key, json);
    } catch {
      // Full or unavailable: the messages stay in memory and are still sent.
    }
  }
}

function isSaved<E extends Unsent>(value: unknown): value is Saved<E> {
  if (typeof value !== 'object' || value === null) return false;
  const { owner, entries } = value as Partial<Saved<E>>;
  return (
    typeof owner === 'string' &&
    Array.isArray(entries) &&
    entries.every((e: unknown) => typeof e === 'object' && e !== null && typeof (e as Unsent).clientId === 'string' && typeof (e as Unsent).body === 'string')
  );
}
