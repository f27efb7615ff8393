/**
 * Parley and the bare relay, side by side in one run: each server in its own process, each driven by a
 * load generator of its own with the same pattern, one after the other at every level.
 */
import type { BenchConfig } from './config.ts';
import { startGenerator, type Generator } from './generators.ts';
import type { ClosedLoopResult, PacedResult } from './load/patterns.ts';
import { makeTempDir, removeTempDir, startTogether } from './processes.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import type { ProbeStats } from './server-probe.ts';
import { startBareRelay, startParley, type ServerProcess } from './server-process.ts';
import { Admin, type Site } from './setup.ts';
import { round } from './stats.ts';

/** The customer's site: the Origin the bench's visitors send. */
export const SITE_ORIGIN = 'https://shop.bench.test';

interface Side {
  server: ServerProcess;
  generator: Generator;
}

export interface Stage {
  parley: Side;
  bare: Side;
  dataDir: string;
  /** The site whose conversations the agents serve. */
  chatSite: Site;
  /** A site no agent serves, for the write-path probe. */
  writeSite: Site;
  /**
   * The site the widget's host page embeds. No agent serves it: a conversation the widget section starts (a
   * returning visitor's) would otherwise hold a place the latency section's conversations need.
   */
  widgetSite: Site;
  stop(): Promise<void>;
}

/** `widgetOrigins`: the allowed origins of the widget's site (its host page). */
export async function startSideBySide(config: BenchConfig, widgetOrigins: string[], profiler: PhaseProfiler): Promise<Stage> {
  const dataDir = makeTempDir('parley-bench-');
  const agentCount = Math.ceil(Math.max(...config.latency.levels) / config.agentCapacity);
  const [parleyServer, bareServer, parleyLoad, bareLoad] = await startTogether([
    startParley(dataDir, { countSql: profiler.enabled }),
    startBareRelay(),
    startGenerator('parley load'),
    startGenerator('bare-relay load'),
  ] as const).catch((error: unknown) => {
    removeTempDir(dataDir);
    throw error;
  });
  const stop = async () => {
    await Promise.all([parleyLoad.stop(), bareLoad.stop()]);
    await Promise.all([parleyServer.stop(), bareServer.stop()]);
    removeTempDir(dataDir);
  };
  try {
    const admin = await Admin.login(parleyServer.url);
    const chatSite = await admin.createSite('Bench chat', [SITE_ORIGIN]);
    const writeSite = await admin.createSite('Bench writes', [SITE_ORIGIN]);
    const widgetSite = await admin.createSite('Bench widget', widgetOrigins);
    const agents = await admin.createAgents(chatSite, agentCount, config.agentCapacity);
    await parleyLoad.rpc.call('start', { kind: 'parley', url: parleyServer.url, site: chatSite, agents }, 60_000);
    await bareLoad.rpc.call('start', { kind: 'bare', url: bareServer.url, agentCount }, 60_000);
    return {
      parley: { server: parleyServer, generator: parleyLoad },
      bare: { server: bareServer, generator: bareLoad },
      dataDir,
      chatSite,
      writeSite,
      widgetSite,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

type Measured<T> = T & { server: ProbeStats };

export interface LatencyLevel {
  conversations: number;
  parley: Measured<PacedResult>;
  bare: Measured<PacedResult>;
  /** Parley's p99 over the bare relay's (1 = as fast). */
  p99Ratio: { visitorToAgent: number; agentToVisitor: number };
}

export async function compareLatency(stage: Stage, config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<LatencyLevel[]> {
  const { levels, ...pattern } = config.latency;
  const budget = pattern.warmupMs + pattern.durationMs + 30_000;
  const results: LatencyLevel[] = [];
  for (const count of levels) {
    const run = async (side: Side, phase?: string) => {
      const opened = await side.generator.rpc.call('open', { count }, 180_000);
      await side.server.probe.call('stats', {}, 5_000); // starts the server's measuring window
      const work = () => side.generator.rpc.call('paced', { count, ...pattern }, budget);
      const result = phase ? await profiler.around(side.server, phase, work) : await work();
      return { ...result, setupMs: opened.ms, server: await side.server.probe.call('stats', {}, 5_000) };
    };
    const parley = await run(stage.parley, count === Math.max(...levels) ? `latency-${count}` : undefined);
    const bare = await run(stage.bare);
    log(`latency ${count} conversations: visitor→agent p99 parley ${parley.visitorToAgent.p99} ms, bare ${bare.visitorToAgent.p99} ms`);
    results.push({
      conversations: count,
      parley,
      bare,
      p99Ratio: {
        visitorToAgent: round(parley.visitorToAgent.p99 / bare.visitorToAgent.p99),
        agentToVisitor: round(parley.agentToVisitor.p99 / bare.agentToVisitor.p99),
      },
    });
  }
  return results;
}

export interface ThroughputComparison {
  parley: Measured<ClosedLoopResult>;
  bare: Measured<ClosedLoopResult>;
  /** Parley's delivered messages per second over the bare relay's. */
  ratio: number;
}

export async function compareThroughput(stage: Stage, config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<ThroughputComparison> {
  const { senders: count, ...window } = config.throughput;
  const run = async (side: Side, phase?: string) => {
    await side.generator.rpc.call('open', { count }, 180_000); // already open after the latency section
    await side.server.probe.call('stats', {}, 5_000);
    const work = () => side.generator.rpc.call('closedLoop', { count, ...window }, window.warmupMs + window.durationMs + 30_000);
    const result = phase ? await profiler.around(side.server, phase, work) : await work();
    return { ...result, server: await side.server.probe.call('stats', {}, 5_000) };
  };
  const parley = await run(stage.parley, 'throughput');
  const bare = await run(stage.bare);
  log(`throughput: parley ${parley.deliveredPerSecond} msg/s, bare ${bare.deliveredPerSecond} msg/s`);
  return { parley, bare, ratio: round(parley.deliveredPerSecond / bare.deliveredPerSecond) };
}
