/**
 * What each open transcript has heard, and fetching what it missed: every open transcript after a reconnect, and
 * one whose conversation a change says is past it (an assignment's system line is not pushed to agents: its change
 * carries the conversation's lastSeq).
 */
import type { MessageDTO } from '../server/contract/dto.ts';
import { CatchUpPoint } from '../client/messages.ts';

export interface TranscriptSource {
  /** Every message of the conversation after `afterSeq` (LiveSession.historyAfter). */
  historyAfter(conversationId: string, afterSeq: number): Promise<MessageDTO[]>;
  /** Adds fetched messages to the conversation's open transcript. */
  merge(conversationId: string, messages: MessageDTO[]): void;
}

export class TranscriptCatchUp {
  readonly #source: TranscriptSource;
  /** One per open tab. */
  readonly #points = new Map<string, CatchUpPoint>();
  /** Conversations whose gap is being fetched: one fetch at a time each. */
  readonly #fetching = new Set<string>();

  constructor(source: TranscriptSource) {
    this.#source = source;
  }

  opened(conversationId: string): void {
    this.#points.set(conversationId, new CatchUpPoint());
  }

  closed(conversationId: string): void {
    this.#points.delete(conversationId);
  }

  disconnected(): void {
    for (const point of this.#points.values()) point.disconnected();
  }

  /** A live event's message. */
  received(message: MessageDTO): void {
    this.#points.get(message.conversationId)?.received(message);
  }

  /** A history page covered everything up to its last message. */
  loaded(conversationId: string, page: readonly MessageDTO[]): void {
    this.#points.get(conversationId)?.caughtUp(page);
  }

  /** After a reconnect: each open transcript fetches what it missed, in turn; one never loaded is left to `load`. */
  async reconnected(load: (conversationId: string) => Promise<void>): Promise<void> {
    for (const [conversationId, point] of [...this.#points]) {
      if (point.seq === 0) await load(conversationId);
      else await this.#fetchMissed(conversationId, point);
    }
  }

  /**
   * The conversation is at `lastSeq`: a live transcript that heard less fetches the rest. A failure is left to
   * the next change or reconnect.
   */
  heardOf(conversationId: string, lastSeq: number): void {
    const point = this.#points.get(conversationId);
    if (!point?.live || lastSeq <= point.seq || this.#fetching.has(conversationId)) return;
    this.#fetching.add(conversationId);
    void this.#fetchMissed(conversationId, point)
      .catch(() => undefined)
      .finally(() => this.#fetching.delete(conversationId));
  }

  async #fetchMissed(conversationId: string, point: CatchUpPoint): Promise<void> {
    const missed = await this.#source.historyAfter(conversationId, point.seq);
    if (this.#points.get(conversationId) !== point) return; // closed meanwhile
    point.caughtUp(missed);
    this.#source.merge(conversationId, missed);
  }
}
