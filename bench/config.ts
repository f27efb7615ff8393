/** What a full run and a quick run measure. Every phase is bounded in count and in time. */

export interface BenchConfig {
  mode: 'full' | 'quick';
  /** Wall-clock budget for the whole suite; past it the run stops and cleans up. */
  budgetMs: number;
  latency: {
    /** Concurrent conversations, each sending one message every intervalMs, alternately from each side. */
    levels: number[];
    intervalMs: number;
    warmupMs: number;
    durationMs: number;
  };
  /** Conversations per agent (Parley's maximum capacity is 100). */
  agentCapacity: number;
  throughput: { senders: number; warmupMs: number; durationMs: number };
  persistence: { visitors: number; warmupMs: number; durationMs: number; rawDurationMs: number };
  connections: { steps: number[]; perGenerator: number; settleMs: number; holdMs: number };
  widget: { runs: number; observeMs: number };
}

export const FULL: BenchConfig = {
  mode: 'full',
  budgetMs: 10 * 60_000,
  latency: { levels: [100, 500, 1000], intervalMs: 5000, warmupMs: 5000, durationMs: 20_000 },
  agentCapacity: 100,
  throughput: { senders: 200, warmupMs: 2000, durationMs: 15_000 },
  persistence: { visitors: 200, warmupMs: 2000, durationMs: 10_000, rawDurationMs: 2500 },
  connections: { steps: [1000, 2500, 5000, 10_000], perGenerator: 5000, settleMs: 2000, holdMs: 3000 },
  widget: { runs: 4, observeMs: 2000 },
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  budgetMs: 2 * 60_000,
  latency: { levels: [100, 300], intervalMs: 5000, warmupMs: 1500, durationMs: 5000 },
  agentCapacity: 100,
  throughput: { senders: 100, warmupMs: 1000, durationMs: 3000 },
  persistence: { visitors: 100, warmupMs: 1000, durationMs: 2500, rawDurationMs: 750 },
  connections: { steps: [1000, 2000], perGenerator: 5000, settleMs: 500, holdMs: 1500 },
  widget: { runs: 2, observeMs: 1000 },
};
