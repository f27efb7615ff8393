/**
 * One connection's refusals by a rate limit. A person who hits a limit waits; a script keeps sending, and
 * reading, checking and answering each of its packets takes the event loop from everyone else (`npm run bench`,
 * flood section). So once refused, a connection is answered with the same refusal until the limit has room
 * again, without asking the limiter (which may be Redis) each time; and a connection refused
 * FLOOD_REFUSALS times within FLOOD_WINDOW_MS is flooding (the adapter then stops reading it for a while).
 */
import type { Clock } from './clock.ts';

export const FLOOD_REFUSALS = 50;
export const FLOOD_WINDOW_MS = 10_000;

export class RefusalGate<R> {
  private refusal: R | null = null;
  private until = 0;
  private windowStart = 0;
  private refusals = 0;

  constructor(private readonly clock: Clock) {}

  /** The refusal still in force, if any: answer with it and do not ask the limiter. */
  held(): R | null {
    return this.refusal !== null && this.clock.now() < this.until ? this.refusal : null;
  }

  /** The limiter refused; its answer stands for `retryAfterMs` (unknown: until the next command asks). */
  hold(refusal: R, retryAfterMs: number | undefined): void {
    this.refusal = refusal;
    this.until = this.clock.now() + (retryAfterMs ?? 0);
  }

  /** Counts one refusal answered; true when the connection is flooding. */
  refused(): boolean {
    const now = this.clock.now();
    if (now - this.windowStart >= FLOOD_WINDOW_MS) {
      this.windowStart = now;
      this.refusals = 0;
    }
    return ++this.refusals >= FLOOD_REFUSALS;
  }
}
