/**
 * Queue wait estimate for one site.
 *
 * Each time a conversation leaves the queue for an agent after actually waiting (waitedMs > 0),
 * we keep a sample { waitedMs, position } where position is the 1-based place it took when it
 * entered the queue (how many slots had to advance for it). Over the last N samples (N = window):
 *
 *   perSlotMs   = sum(waitedMs) / sum(position)     (ratio estimator: time for the queue to advance one place)
 *   ETA(p)      = round(p * perSlotMs)
 *
 * Why this shape: it measures the service rate only while people were actually waiting (idle periods
 * with an empty queue never inflate it, unlike gaps between assignment timestamps), it reflects the
 * staffing of the recent past, and p * perSlotMs is non-decreasing in p. Instant assignments
 * (waitedMs = 0) are not samples: they say nothing about how fast a queue drains.
 * No sample => null (no basis). The engine also answers null when no agent serving the site is online.
 */

export interface WaitSample {
  waitedMs: number;
  /** 1-based queue position when the conversation entered the queue. */
  position: number;
}

export const DEFAULT_ETA_WINDOW = 20;

export class EtaWindow {
  private readonly samples: WaitSample[] = [];
  private readonly size: number;

  constructor(size: number = DEFAULT_ETA_WINDOW) {
    this.size = Math.max(1, Math.floor(size));
  }

  add(sample: WaitSample): void {
    if (!(sample.waitedMs > 0) || !(sample.position >= 1)) return;
    this.samples.push({ waitedMs: sample.waitedMs, position: sample.position });
    if (this.samples.length > this.size) this.samples.shift();
  }

  /** Recomputed each time: N is small, and running sums would drift with float subtraction. */
  perSlotMs(): number | null {
    let waited = 0;
    let slots = 0;
    for (const s of this.samples) {
      waited += s.waitedMs;
      slots += s.position;
    }
    return slots > 0 ? waited / slots : null;
  }

  static estimate(perSlotMs: number | null, position: number): number | null {
    return perSlotMs === null ? null : Math.round(position * perSlotMs);
  }
}
