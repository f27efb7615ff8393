import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/domain/clock.ts';
import { FLOOD_REFUSALS, FLOOD_WINDOW_MS, RefusalGate } from '../../../server/domain/refusal-gate.ts';

describe('RefusalGate', () => {
  it('holds a refusal until the limit has room again, then lets the limiter decide', () => {
    const clock = new ManualClock(1_000);
    const gate = new RefusalGate<string>(clock);
    expect(gate.held()).toBeNull();
    gate.hold('slow down', 250);
    expect(gate.held()).toBe('slow down');
    clock.advance(249);
    expect(gate.held()).toBe('slow down');
    clock.advance(1);
    expect(gate.held()).toBeNull();
  });

  it('holds nothing when the limiter gave no retry time', () => {
    const gate = new RefusalGate<string>(new ManualClock(5));
    gate.hold('no', undefined);
    expect(gate.held()).toBeNull();
  });

  it('calls a connection flooding at the FLOOD_REFUSALS-th refusal within the window, not before', () => {
    const gate = new RefusalGate<string>(new ManualClock(0));
    for (let i = 1; i < FLOOD_REFUSALS; i++) expect(gate.refused()).toBe(false);
    expect(gate.refused()).toBe(true);
  });

  it('forgets refusals of an earlier window: a person who hits the limit now and then is never dropped', () => {
    const clock = new ManualClock(0);
    const gate = new RefusalGate<string>(clock);
    for (let window = 0; window < 5; window++) {
      for (let i = 1; i < FLOOD_REFUSALS; i++) expect(gate.refused()).toBe(false);
      clock.advance(FLOOD_WINDOW_MS);
    }
  });
});
