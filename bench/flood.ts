/**
 * Issue #5, measured: one visitor flooding does not slow the others. A Parley process with the production
 * rate limits (RATE_LIMIT_SCALE=1); ordinary visitors, each from an address of its own, send every 1–2 s to
 * their agents and time visitor→agent delivery, alone (baseline) and while one more visitor, in a process of
 * its own, floods its conversation as fast as the server answers: ordinary bodies, then the longest valid
 * ones. The three windows take turns, `rounds` times, and each kind's samples are pooled: a neighbour's burst
 * on this shared machine then falls on every kind alike instead of deciding the verdict. The server's CPU and
 * event-loop delay beside each.
 */
import type { BenchConfig } from './config.ts';
import { startGenerator, type Generator } from './generators.ts';
import type { FloodResult, PacedResult } from './load/patterns.ts';
import { makeTempDir, once, removeTempDir, startTogether, type Section } from './processes.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import type { ProbeStats } from './server-probe.ts';
import { startParley, type ServerProcess } from './server-process.ts';
import { Admin } from './setup.ts';
import { SITE_ORIGIN } from './side-by-side.ts';
import { round, summarize } from './stats.ts';

/**
 * The production limits, and the bench as a trusted proxy on loopback whose X-Forwarded-For gives each bench
 * visitor an address of its own (as behind nginx); otherwise one loopback address would hit the per-address
 * limits long before the flood.
 */
const PRODUCTION_LIMITS = { RATE_LIMIT_SCALE: '1', TRUST_PROXY: 'loopback' };
const LIMITS_NOTE = 'production (RATE_LIMIT_SCALE=1); each visitor its own address (X-Forwarded-For, TRUST_PROXY=loopback)';
const OTHERS_ADDRESSES = 1;
const FLOODER_ADDRESS = 2;

export type FloodKind = 'baseline' | 'flood' | 'flood-huge';

export interface FloodWindow {
  kind: FloodKind;
  /** How many windows of this kind are pooled here. */
  rounds: number;
  /** The ordinary visitors' messages in this window. */
  others: PacedResult;
  /** The flooder's sends and the server's answers (absent for the baseline). */
  flooder?: FloodResult;
  server: ProbeStats;
  /** Wall-clock time the server's figures cover (loop delay: the worst round's p99 and max). */
  serverWindowMs: number;
  /** The others' visitor→agent percentiles over the baseline's (1 = unchanged). */
  ratio?: { p50: number; p95: number; p99: number };
  /** The server's CPU over the baseline's, per message the flooder sent (µs): what refusing one costs. */
  cpuPerFloodedMessageUs?: number;
}

export interface FloodSection {
  conversations: number;
  intervalMs: number;
  limits: typeof LIMITS_NOTE;
  windows: FloodWindow[];
}

/** Starts the server and both generators (nothing is measured yet: run.ts starts them beside the first stage). */
export async function startFlood(config: BenchConfig, profiler: PhaseProfiler): Promise<Section<FloodSection>> {
  const { conversations, intervalMs, jitter, warmupMs, durationMs, windowBytes } = config.flood;
  const dataDir = makeTempDir('parley-bench-flood-');
  const [server, others, flooder] = await startTogether([
    startParley(dataDir, { countSql: profiler.enabled, label: 'parley (production limits)', env: PRODUCTION_LIMITS }),
    startGenerator('flood: ordinary visitors'),
    startGenerator('flood: flooder'),
  ] as [Promise<ServerProcess>, Promise<Generator>, Promise<Generator>]).catch((error: unknown) => {
    removeTempDir(dataDir);
    throw error;
  });

  /** One window: the others' pattern, with the flooder at work or not; the server's figures over the same time. */
  const measureWindow = async (kind: FloodKind, round: number, log: (line: string) => void): Promise<FloodWindow> => {
    const pattern = { count: conversations, intervalMs, jitter, from: 'visitor' as const, warmupMs, durationMs, keepSamples: true };
    const budget = warmupMs + durationMs + 60_000;
    await server.probe.call('stats', {}, 5_000); // the server's window starts
    const windowStart = performance.now();
    const work = () =>
      Promise.all([
        others.rpc.call('paced', pattern, budget),
        kind === 'baseline' ? undefined : flooder.rpc.call('flood', { huge: kind === 'flood-huge', durationMs: warmupMs + durationMs, windowBytes }, budget),
      ]);
    // Profiled once per flood kind: the first round.
    const [othersResult, flood] = kind === 'baseline' || round > 0 ? await work() : await profiler.around(server, kind, work);
    const stats = await server.probe.call('stats', {}, 5_000);
    const serverWindowMs = Math.round(performance.now() - windowStart);
    const window: FloodWindow = { kind, rounds: 1, others: othersResult, ...(flood ? { flooder: flood } : {}), server: stats, serverWindowMs };
    const f = flood ? `; flooder ${flood.attempted} sent (${flood.attemptedPerSecond}/s), ${flood.accepted} accepted, ${flood.rateLimited} rate-limited` : '';
    log(`flood, round ${round + 1}, ${kind}: others' visitor→agent p50/p99 ${othersResult.visitorToAgent.p50}/${othersResult.visitorToAgent.p99} ms${f}`);
    return window;
  };

  return {
    /** The site, agents, the others' conversations and the flooder's. */
    async prepare() {
      const admin = await Admin.login(server.url);
      const site = await admin.createSite('Bench flood', [SITE_ORIGIN]);
      // Room for every ordinary conversation and the flooder's: its accepted messages reach an agent too.
      const agents = await admin.createAgents(site, Math.ceil((conversations + 1) / config.agentCapacity), config.agentCapacity);
      await others.rpc.call('start', { kind: 'parley', url: server.url, site, agents, addressBlock: OTHERS_ADDRESSES }, 60_000);
      await others.rpc.call('open', { count: conversations }, 180_000);
      await flooder.rpc.call('floodPrepare', { url: server.url, site, addressBlock: FLOODER_ADDRESS }, 30_000);
    },
    async measure(log) {
      const kinds = ['baseline', 'flood', 'flood-huge'] as const;
      const measured = new Map<FloodKind, FloodWindow[]>(kinds.map((kind) => [kind, []]));
      for (let round = 0; round < config.flood.rounds; round++) {
        for (const kind of kinds) measured.get(kind)!.push(await measureWindow(kind, round, log));
      }
      const windows = kinds.map((kind) => pooled(measured.get(kind)!));
      const baseline = windows[0]!;
      const base = baseline.others.visitorToAgent;
      for (const w of windows.slice(1)) {
        const s = w.others.visitorToAgent;
        w.ratio = { p50: round(s.p50 / base.p50), p95: round(s.p95 / base.p95), p99: round(s.p99 / base.p99) };
        const extraCpuMs = w.server.cpu * w.serverWindowMs - baseline.server.cpu * baseline.serverWindowMs;
        if (w.flooder?.attempted) w.cpuPerFloodedMessageUs = round((extraCpuMs * 1000) / w.flooder.attempted, 1);
      }
      return { conversations, intervalMs, limits: LIMITS_NOTE, windows };
    },
    stop: once(async () => {
      await Promise.all([others.stop(), flooder.stop()]);
      await server.stop();
      removeTempDir(dataDir);
    }),
  };
}

const total = <T>(items: T[], pick: (item: T) => number) => items.reduce((sum, item) => sum + pick(item), 0);

/** One kind's windows as one: the samples pooled, counts summed, the server's CPU over all their time. */
function pooled(windows: FloodWindow[]): FloodWindow {
  const sum = (pick: (w: FloodWindow) => number) => total(windows, pick);
  const serverWindowMs = sum((w) => w.serverWindowMs);
  const samples = { visitorToAgent: windows.flatMap((w) => w.others.samples!.visitorToAgent), ack: windows.flatMap((w) => w.others.samples!.ack) };
  const first = windows[0]!.others;
  const errorSample = windows.find((w) => w.others.errorSample)?.others.errorSample;
  const others: PacedResult = {
    conversations: first.conversations,
    offeredRate: first.offeredRate,
    sent: sum((w) => w.others.sent),
    received: sum((w) => w.others.received),
    lost: sum((w) => w.others.lost),
    errors: sum((w) => w.others.errors),
    ...(errorSample && { errorSample }),
    visitorToAgent: summarize(samples.visitorToAgent),
    agentToVisitor: first.agentToVisitor,
    ack: summarize(samples.ack),
  };
  const server: ProbeStats = {
    ...windows.at(-1)!.server,
    cpu: round(sum((w) => w.server.cpu * w.serverWindowMs) / serverWindowMs),
    mainThreadCpu: windows.some((w) => w.server.mainThreadCpu === null) ? null : round(sum((w) => w.server.mainThreadCpu! * w.serverWindowMs) / serverWindowMs),
    loopDelay: {
      p50: round(sum((w) => w.server.loopDelay.p50) / windows.length),
      p99: Math.max(...windows.map((w) => w.server.loopDelay.p99)),
      max: Math.max(...windows.map((w) => w.server.loopDelay.max)),
    },
  };
  const floods = windows.flatMap((w) => (w.flooder ? [w.flooder] : []));
  return { kind: windows[0]!.kind, rounds: windows.length, others, ...(floods.length > 0 && { flooder: pooledFlood(floods) }), server, serverWindowMs };
}

function pooledFlood(floods: FloodResult[]): FloodResult {
  const sum = (pick: (f: FloodResult) => number) => total(floods, pick);
  const durationMs = sum((f) => f.durationMs);
  const attempted = sum((f) => f.attempted);
  const errorSample = floods.find((f) => f.errorSample)?.errorSample;
  return {
    bodyChars: floods[0]!.bodyChars,
    bodyBytes: floods[0]!.bodyBytes,
    durationMs,
    attempted,
    accepted: sum((f) => f.accepted),
    rateLimited: sum((f) => f.rateLimited),
    otherErrors: sum((f) => f.otherErrors),
    unanswered: sum((f) => f.unanswered),
    attemptedPerSecond: Math.round(attempted / (durationMs / 1000)),
    ...(errorSample && { errorSample }),
    disconnects: sum((f) => f.disconnects),
    cpu: round(sum((f) => f.cpu * f.durationMs) / durationMs),
  };
}

/** The target of issue #5: the others' p99 during a flood at most twice the baseline's, or at most 10 ms more. */
export function floodAllowance(baselineP99: number): number {
  return Math.max(2 * baselineP99, baselineP99 + 10);
}
