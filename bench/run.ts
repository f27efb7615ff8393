/**
 * `npm run bench` (full, under 15 minutes on 2 cores), `npm run bench -- --quick` (under 4 minutes).
 * `--profile` also records CPU profiles of Parley's process around each measured phase and heap snapshots
 * of the idle connections, and summarises them; `--no-build` measures dist/ as it is; `--only flood,cluster`
 * runs just those sections (widget, latency, throughput, persistence, flood, cluster, connections, burst; and
 * soak, which only runs when named) and writes partial.json/.txt (partial-quick) instead, so a partial run never
 * replaces a whole one.
 * Loopback only. Prints the tables and writes them and the figures to bench/results/latest.txt and latest.json
 * (latest-quick for --quick; bench/results/profiles/summary for --profile). `--backends sqlite,postgresql` limits
 * the burst section to those backends.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureBurst } from './burst.ts';
import { startCluster } from './cluster.ts';
import { FULL, QUICK, withBackends } from './config.ts';
import { measureConnections } from './connections.ts';
import { startFlood } from './flood.ts';
import { measurePersistence } from './persistence.ts';
import { measureSoak } from './soak.ts';
import { killEverything, repoRoot } from './processes.ts';
import { noProfiling, profilingInto, type PhaseProfiler } from './profile/capture.ts';
import { summarizeProfiles } from './profile/summary.ts';
import { checkTargets, currentLoad, machineInfo, printReport, type BenchResults } from './report.ts';
import { compareLatency, compareThroughput, startSideBySide } from './side-by-side.ts';
import { buildDist, measureWidget, startHostPage } from './widget.ts';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean' }, profile: { type: 'boolean' }, 'no-build': { type: 'boolean' }, only: { type: 'string' }, backends: { type: 'string' } },
});
const config = withBackends(flags.quick ? QUICK : FULL, flags.backends);
const SECTIONS = ['widget', 'latency', 'throughput', 'persistence', 'flood', 'cluster', 'connections', 'burst', 'soak'] as const;
/** Sections a run without --only leaves out: they take long and measure one thing. */
const ONLY_WHEN_NAMED: readonly string[] = ['soak'];
const only = flags.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown?.length) {
  process.stderr.write(`bench: unknown section ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})\n`);
  process.exit(2);
}
const wanted = (name: (typeof SECTIONS)[number]) => (only ? only.includes(name) : !ONLY_WHEN_NAMED.includes(name));
const resultsDir = join(repoRoot, 'bench', 'results');
const startedAt = performance.now();
const log = (line: string) => process.stderr.write(`[${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

const results: BenchResults = {
  machine: machineInfo(),
  mode: config.mode,
  profiled: Boolean(flags.profile),
  durationMs: 0,
  config,
  targets: [],
  errors: [],
};
// Every phase is bounded; this is the net under them all: a benchmark that hangs is worse than one that fails.
const budgetMs = config.budgetMs + (wanted('soak') ? config.soak.durationMs : 0);
setTimeout(() => {
  results.errors.push({ section: 'budget', message: `stopped after ${(2 * budgetMs) / 60_000} min (twice the budget); figures so far follow` });
  finish(2);
}, 2 * budgetMs).unref();
const profiler: PhaseProfiler = flags.profile ? profilingInto(join(resultsDir, 'profiles')) : noProfiling;

/** A failed section is reported and the rest of the suite still runs. */
async function section<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  log(`${name}...`);
  try {
    return await work();
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.errors.push({ section: name, message });
    log(`${name} failed: ${message.split('\n')[0]}`);
    return undefined;
  }
}

const host = await startHostPage();
// Every section's first processes start now, together (starting is not measured): the flood's server and the
// cluster's first node then idle, with no clients, until their turn.
const [, stage, flood, cluster] = await Promise.all([
  flags['no-build'] || !wanted('widget') ? undefined : section('build', buildDist),
  (['widget', 'latency', 'throughput', 'persistence'] as const).some(wanted)
    ? section('start parley and the bare relay', () => startSideBySide(config, [host.origin], profiler))
    : undefined,
  wanted('flood') ? section('flood (start)', () => startFlood(config, profiler)) : undefined,
  wanted('cluster') ? section('cluster (start)', () => startCluster(config, profiler, log)) : undefined,
]);
try {
  if (stage) {
    try {
      if (wanted('widget')) results.widget = await section('widget', () => measureWidget(host, stage.parley.server.url, stage.widgetSite, config, log));
      if (wanted('latency')) results.latency = await section('latency', () => compareLatency(stage, config, profiler, log));
      if (wanted('throughput')) results.throughput = await section('throughput', () => compareThroughput(stage, config, profiler, log));
      if (wanted('persistence')) results.persistence = await section('persistence', () => measurePersistence(stage, config, profiler, log));
    } finally {
      await stage.stop();
    }
  }
  host.close();
  // Each prepares (sites, agents, conversations: not measured) and measures in turn. Not prepared together:
  // what the cluster's writes leave PostgreSQL doing (autovacuum, say) would overlap the flood's measurement.
  const floodReady = flood ? await section('flood (prepare)', async () => (await flood.prepare(), true)) : undefined;
  if (flood && floodReady) results.flood = await section('flood', () => flood.measure(log));
  await flood?.stop();
  const clusterReady = cluster ? await section('cluster (prepare)', async () => (await cluster.prepare(), true)) : undefined;
  if (cluster && clusterReady) results.cluster = await section('cluster', () => cluster.measure(log));
} finally {
  await Promise.all([flood?.stop(), cluster?.stop()]);
}
if (wanted('connections')) results.connections = await section('connections', () => measureConnections(config, profiler, log));
if (wanted('burst')) results.burst = await section('burst', () => measureBurst(config, profiler, log));
if (wanted('soak')) results.soak = await section('soak', () => measureSoak(config, profiler, log));

if (flags.profile) results.profiles = summarizeProfiles(profiler, results.connections?.steps[0]?.connected);
finish(results.errors.length > 0 ? 1 : 0);

/** Checks the targets, writes the JSON, prints the tables, stops whatever still runs. */
function finish(code: number): never {
  results.durationMs = Math.round(performance.now() - startedAt);
  results.machine.loadAverage.end = currentLoad();
  results.targets = checkTargets(results);
  // A profiled run's figures carry the profiler's overhead: they go beside the profiles, not in latest.json.
  const dir = flags.profile ? join(resultsDir, 'profiles') : resultsDir;
  mkdirSync(dir, { recursive: true });
  const name = join(dir, `${flags.profile ? 'summary' : only ? 'partial' : 'latest'}${flags.quick ? '-quick' : ''}`);
  const report = printReport(results);
  // The tables as printed, beside the figures: what a reader of the repository sees without running it.
  writeFileSync(`${name}.json`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${name}.txt`, `${report}\n`);
  process.stdout.write(`\n${report}\n\nWritten to ${name}.json and ${name}.txt\n`);
  killEverything();
  process.exit(code);
}
