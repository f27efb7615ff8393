/** Transcript bookkeeping shared by the frame and the console. */
import type { MessageDTO } from '../server/contract/dto.ts';
import type { ErrorCode } from '../server/contract/errors.ts';

/** A message this page sent that the server has not stored yet (or refused): shown after the transcript. */
export interface OutgoingMessage {
  clientId: string;
  body: string;
  status: 'sending' | 'failed';
  /** Why it failed, when it did; TIMEOUT when no answer came. */
  error: ErrorCode | 'TIMEOUT' | null;
}

/**
 * Adds `incoming` to `current`, dropping ones already present (same id or same seq), in seq order.
 * Messages can arrive twice (live event, command answer, catch-up after reconnect): each shows once.
 */
export function mergeMessages(current: readonly MessageDTO[], incoming: readonly MessageDTO[]): MessageDTO[] {
  const ids = new Set(current.map((message) => message.id));
  const seqs = new Set(current.map((message) => message.seq));
  const added = incoming.filter((message) => {
    if (ids.has(message.id) || seqs.has(message.seq)) return false;
    ids.add(message.id);
    seqs.add(message.seq);
    return true;
  });
  if (added.length === 0) return current as MessageDTO[];
  return [...current, ...added].sort((a, b) => a.seq - b.seq);
}

/** The last seq of a seq-ordered list, 0 when it is empty. */
export function lastSeq(messages: readonly MessageDTO[]): number {
  return messages.at(-1)?.seq ?? 0;
}

/**
 * The seq up to which a client holds every message of one conversation: its `afterSeq` after a
 * reconnect. Only history pages, and live events that follow a completed catch-up, move it. A send's
 * answer must not: it can overtake live events still on their way, and skipping to its seq would
 * lose them (seen with a message typed offline and flushed on reconnect).
 */
export class CatchUpPoint {
  #seq = 0;
  #live = false;

  get seq(): number {
    return this.#seq;
  }

  /** Connected and caught up: live events now follow on from `seq`, so a later seq heard of is one missed. */
  get live(): boolean {
    return this.#live;
  }

  /** Another conversation, or nothing known yet: the next catch-up starts from the beginning. */
  reset(): void {
    this.#seq = 0;
    this.#live = false;
  }

  disconnected(): void {
    this.#live = false;
  }

  /** A history fetch covered everything up to its last message. */
  caughtUp(fetched: readonly MessageDTO[]): void {
    this.#seq = Math.max(this.#seq, lastSeq(fetched));
    this.#live = true;
  }

  received(message: MessageDTO): void {
    if (this.#live) this.#seq = Math.max(this.#seq, message.seq);
  }
}
