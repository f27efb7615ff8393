/**
 * Idle visitor connections one Parley process holds, stepping up: heap and RSS per connection (after a
 * full GC, over a baseline taken once every visitor has its session) and event-loop delay while idle.
 */
import type { BenchConfig } from './config.ts';
import { startGenerator, type Generator } from './generators.ts';
import { makeTempDir, removeTempDir, startTogether } from './processes.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import type { ProbeStats } from './server-probe.ts';
import { startParley, type ServerProcess } from './server-process.ts';
import { Admin } from './setup.ts';
import { SITE_ORIGIN } from './side-by-side.ts';
import { sleep } from './stats.ts';

export interface ConnectionStep {
  target: number;
  connected: number;
  failed: number;
  /** Open before the hold, closed by the server after it. */
  dropped: number;
  connectPerSecond: number;
  errorSample?: string;
  heapPerConnection: number;
  rssPerConnection: number;
  server: ProbeStats;
}

export interface ConnectionsResult {
  /** Visitor sessions (POST /api/widget/session) made per second while preparing. */
  sessionsPerSecond: number;
  baseline: ProbeStats;
  steps: ConnectionStep[];
  /** The largest step every socket of which connected and stayed. */
  held: number;
}

export async function measureConnections(config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<ConnectionsResult> {
  const { steps, perGenerator, settleMs, holdMs } = config.connections;
  const dataDir = makeTempDir('parley-bench-idle-');
  const count = Math.ceil(Math.max(...steps) / perGenerator);
  const [server, ...generators] = await startTogether([
    startParley(dataDir, { countSql: profiler.enabled }),
    ...Array.from({ length: count }, (_, i) => startGenerator(`idle load ${i + 1}`)),
  ] as [Promise<ServerProcess>, ...Promise<Generator>[]]).catch((error: unknown) => {
    removeTempDir(dataDir);
    throw error;
  });
  // Each generator holds an even share of every step.
  const share = (total: number, i: number) => Math.floor(total / count) + (i < total % count ? 1 : 0);
  try {
    const site = await (await Admin.login(server.url)).createSite('Bench idle', [SITE_ORIGIN]);
    const rates = await profiler.around(server, 'sessions', () =>
      Promise.all(generators.map((g, i) => g.rpc.call('idleSessions', { url: server.url, site, count: share(Math.max(...steps), i) }, 300_000))),
    );
    const sessionsPerSecond = rates.reduce((a, b) => a + b, 0);
    log(`connections: ${Math.max(...steps)} visitor sessions at ${sessionsPerSecond}/s`);
    await sleep(settleMs);
    const baseline = await server.probe.call('stats', { gc: true }, 60_000);
    await profiler.heapSnapshot(server, 'idle-0');
    const result: ConnectionsResult = { sessionsPerSecond, baseline, steps: [], held: 0 };
    for (const target of steps) {
      const answers = await Promise.all(generators.map((g, i) => g.rpc.call('idleConnect', { count: share(target, i) }, 300_000)));
      const connected = answers.reduce((sum, a) => sum + a.connected, 0);
      const errorSample = answers.find((a) => a.errorSample)?.errorSample;
      await sleep(settleMs);
      await server.probe.call('stats', {}, 10_000); // the idle window starts
      await sleep(holdMs);
      const stats = await server.probe.call('stats', { gc: true }, 60_000);
      const dropped = (await Promise.all(generators.map((g) => g.rpc.call('idleDropped', undefined, 10_000)))).reduce((a, b) => a + b, 0);
      const step: ConnectionStep = {
        target,
        connected,
        failed: answers.reduce((sum, a) => sum + a.failed, 0),
        dropped,
        connectPerSecond: answers.reduce((sum, a) => sum + a.connectPerSecond, 0),
        ...(errorSample ? { errorSample } : {}),
        heapPerConnection: Math.round((stats.heapUsed - baseline.heapUsed) / connected),
        rssPerConnection: Math.round((stats.rss - baseline.rss) / connected),
        server: stats,
      };
      result.steps.push(step);
      log(`connections ${connected}/${target}: heap ${(step.heapPerConnection / 1024).toFixed(1)} KB each, loop delay p99 ${stats.loopDelay.p99} ms`);
      if (target === steps[0]) await profiler.heapSnapshot(server, `idle-${target}`);
      if (connected < target || dropped > 0) break;
      result.held = target;
    }
    return result;
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await server.stop();
    removeTempDir(dataDir);
  }
}
