/** Time source for the domain: injected so decisions are deterministic and testable. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A clock that only moves when told to: for tests and simulations. */
export class ManualClock implements Clock {
  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  set(t: number): void {
    this.t = t;
  }

  advance(ms: number): void {
    this.t += ms;
  }
}

/** The real time. */
export const wallClock: Clock = { now: () => Date.now() };
