/** What a full run and a quick run measure. Every phase is bounded in count and in time. */

/** Where the burst section runs: SQLite, one PostgreSQL node, three PostgreSQL nodes with Redis. */
export const BURST_BACKENDS = ['sqlite', 'postgresql', 'postgresql-3'] as const;
export type BurstBackend = (typeof BURST_BACKENDS)[number];

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
  /**
   * Issue #5, production rate limits: `conversations` visitors send every intervalMs × (1 ± jitter) to their
   * agents, for a baseline window, then one more visitor floods for a window of the same length (ordinary
   * bodies, then the longest valid ones), the three in turn `rounds` times, pooled per kind; the flooder keeps
   * up to `windowBytes` of unanswered sends in flight (1 MiB:
   * about what socket buffers hold between a client that never waits and the server; a 64 KiB window hurts
   * the others far less, so this is the knob that decides how bad a flood looks).
   */
  flood: { conversations: number; intervalMs: number; jitter: number; warmupMs: number; durationMs: number; rounds: number; windowBytes: number };
  /**
   * Issue #6: 1, 2, 3 nodes on PostgreSQL + Redis, each count measured like the throughput section; the warm-up
   * also covers a freshly started node's cold start. Then 1 again (the other nodes stopped): the database has grown
   * meanwhile, so one node is measured before and after the others and they are compared with both.
   */
  cluster: { nodes: number[]; senders: number; warmupMs: number; durationMs: number };
  /** `slowed`: the host page's main thread on a CPU slowed `cpuSlowdown` times, `loads` loads of each case after a warm-up. */
  widget: { runs: number; observeMs: number; slowed: { cpuSlowdown: number; loads: number; settleMs: number } };
  /**
   * Queue burst: `visitors` first messages spread over `windowMs`, `agents` of `capacity` online, then agents up to
   * `moreAgents` come online at once. Before it, `openingConversations` new conversations' first and second message,
   * and `sessions` visitor sessions idle and under `sessionLoad` (pairs × 1000 / intervalMs messages a second).
   */
  burst: {
    backends: BurstBackend[];
    visitors: number;
    windowMs: number;
    agents: number;
    moreAgents: number;
    capacity: number;
    openingConversations: number;
    sessions: number;
    sessionLoad: { pairs: number; intervalMs: number; durationMs: number };
  };
  /**
   * Soak (only with --only soak): `conversations` exchanging one message every intervalMs for durationMs, the
   * server's heap (after a GC) and RSS sampled every sampleMs; growth is reported from growthFromMs to the end.
   */
  soak: { conversations: number; intervalMs: number; durationMs: number; sampleMs: number; growthFromMs: number };
}

export const FULL: BenchConfig = {
  mode: 'full',
  budgetMs: 15 * 60_000,
  latency: { levels: [100, 500, 1000], intervalMs: 5000, warmupMs: 5000, durationMs: 20_000 },
  agentCapacity: 100,
  throughput: { senders: 200, warmupMs: 2000, durationMs: 15_000 },
  persistence: { visitors: 200, warmupMs: 2000, durationMs: 10_000, rawDurationMs: 2500 },
  connections: { steps: [1000, 2500, 5000, 10_000], perGenerator: 5000, settleMs: 2000, holdMs: 3000 },
  flood: { conversations: 100, intervalMs: 1500, jitter: 1 / 3, warmupMs: 2000, durationMs: 6000, rounds: 3, windowBytes: 1 << 20 },
  cluster: { nodes: [1, 2, 3, 1], senders: 200, warmupMs: 5000, durationMs: 15_000 },
  widget: { runs: 4, observeMs: 2000, slowed: { cpuSlowdown: 4, loads: 3, settleMs: 3000 } },
  burst: {
    backends: ['sqlite', 'postgresql', 'postgresql-3'],
    visitors: 2000,
    windowMs: 5000,
    agents: 50,
    moreAgents: 200,
    capacity: 5,
    openingConversations: 50,
    sessions: 100,
    sessionLoad: { pairs: 100, intervalMs: 500, durationMs: 6000 },
  },
  soak: { conversations: 1000, intervalMs: 5000, durationMs: 10 * 60_000, sampleMs: 60_000, growthFromMs: 2 * 60_000 },
};

export const QUICK: BenchConfig = {
  mode: 'quick',
  budgetMs: 4 * 60_000,
  latency: { levels: [100, 300], intervalMs: 5000, warmupMs: 1000, durationMs: 3000 },
  agentCapacity: 100,
  throughput: { senders: 100, warmupMs: 1000, durationMs: 3000 },
  persistence: { visitors: 100, warmupMs: 1000, durationMs: 2500, rawDurationMs: 750 },
  connections: { steps: [500], perGenerator: 5000, settleMs: 500, holdMs: 1500 },
  flood: { conversations: 40, intervalMs: 1500, jitter: 1 / 3, warmupMs: 1000, durationMs: 2500, rounds: 1, windowBytes: 1 << 20 },
  cluster: { nodes: [1, 2, 3, 1], senders: 40, warmupMs: 1000, durationMs: 2500 },
  widget: { runs: 1, observeMs: 1000, slowed: { cpuSlowdown: 4, loads: 1, settleMs: 2000 } },
  burst: {
    backends: ['sqlite', 'postgresql', 'postgresql-3'],
    visitors: 400,
    windowMs: 2000,
    agents: 10,
    moreAgents: 40,
    capacity: 5,
    openingConversations: 15,
    sessions: 40,
    sessionLoad: { pairs: 100, intervalMs: 500, durationMs: 3000 },
  },
  soak: { conversations: 300, intervalMs: 5000, durationMs: 2 * 60_000, sampleMs: 15_000, growthFromMs: 30_000 },
};

/** `--backends sqlite,postgresql`: the burst section on those backends only (to iterate on one path). */
export function withBackends(config: BenchConfig, backends: string | undefined): BenchConfig {
  if (backends === undefined) return config;
  const chosen = backends.split(',').map((name) => name.trim());
  const unknown = chosen.filter((name) => !(BURST_BACKENDS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`bench: unknown backend ${unknown.join(', ')} (backends: ${BURST_BACKENDS.join(', ')})`);
  return { ...config, burst: { ...config.burst, backends: chosen as BurstBackend[] } };
}
