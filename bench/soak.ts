/**
 * Soak (`--only soak`): `conversations` conversations exchange messages steadily (one every intervalMs each, sides
 * alternating) for durationMs on one Parley process on SQLite; every sampleMs the server's heap (after a full GC)
 * and RSS are sampled. What a process that runs for days keeps is the growth after warm-up: from growthFromMs
 * to the end.
 */
import type { BenchConfig } from './config.ts';
import { startGenerator, type Generator } from './generators.ts';
import type { PacedResult } from './load/patterns.ts';
import { makeTempDir, removeTempDir } from './processes.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import { startParley, type ServerProcess } from './server-process.ts';
import { Admin } from './setup.ts';
import { SITE_ORIGIN } from './side-by-side.ts';
import { round, sleep } from './stats.ts';

export interface SoakSample {
  /** Since the steady traffic started. */
  atMs: number;
  heapUsed: number;
  rss: number;
  /** The event loop and CPU since the previous sample. */
  loopDelayP99: number;
  cpu: number;
}

export interface SoakResult {
  conversations: number;
  samples: SoakSample[];
  /** Growth from the sample at growthFromMs to the last one, as a share of the first (0.05 = 5 %). */
  heapGrowth: number;
  rssGrowth: number;
  traffic: PacedResult;
}

export async function measureSoak(config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<SoakResult> {
  const { conversations, intervalMs, durationMs, sampleMs, growthFromMs } = config.soak;
  const dataDir = makeTempDir('parley-bench-soak-');
  let server: ServerProcess | undefined;
  let generator: Generator | undefined;
  try {
    [server, generator] = await Promise.all([startParley(dataDir, { countSql: profiler.enabled }), startGenerator('soak load')]);
    const admin = await Admin.login(server.url);
    const site = await admin.createSite('Bench soak', [SITE_ORIGIN]);
    const agents = await admin.createAgents(site, Math.ceil(conversations / config.agentCapacity), config.agentCapacity);
    await generator.rpc.call('start', { kind: 'parley', url: server.url, site, agents }, 60_000);
    await generator.rpc.call('open', { count: conversations }, 300_000);
    const probe = server;
    await probe.probe.call('stats', {}, 5_000);
    const startedAt = performance.now();
    const traffic = generator.rpc.call('paced', { count: conversations, intervalMs, warmupMs: 0, durationMs }, durationMs + 120_000);
    const samples: SoakSample[] = [];
    for (let at = sampleMs; at <= durationMs; at += sampleMs) {
      await sleep(Math.max(0, startedAt + at - performance.now()));
      const stats = await probe.probe.call('stats', { gc: true }, 30_000);
      samples.push({ atMs: Math.round(performance.now() - startedAt), heapUsed: stats.heapUsed, rss: stats.rss, loopDelayP99: stats.loopDelay.p99, cpu: stats.cpu });
      log(`soak: ${Math.round(at / 1000)} s, heap ${(stats.heapUsed / 2 ** 20).toFixed(1)} MB, rss ${(stats.rss / 2 ** 20).toFixed(1)} MB`);
    }
    const from = samples.find((s) => s.atMs >= growthFromMs - 1000) ?? samples[0]!;
    const last = samples.at(-1)!;
    return {
      conversations,
      samples,
      heapGrowth: round((last.heapUsed - from.heapUsed) / from.heapUsed, 4),
      rssGrowth: round((last.rss - from.rss) / from.rss, 4),
      traffic: await traffic,
    };
  } finally {
    await generator?.stop();
    await server?.stop();
    removeTempDir(dataDir);
  }
}
