/**
 * `npm run bench` (full, under 10 minutes on 2 cores), `npm run bench -- --quick` (under 2 minutes).
 * `--profile` also records CPU profiles of Parley's process around each measured phase and heap snapshots
 * of the idle connections, and summarises them; `--no-build` measures dist/ as it is.
 * Loopback only. Prints the tables and writes bench/results/latest.json (latest-quick.json for --quick;
 * bench/results/profiles/summary.json with the profiles for --profile).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL, QUICK } from './config.ts';
import { measureConnections } from './connections.ts';
import { measurePersistence } from './persistence.ts';
import { killEverything, repoRoot } from './processes.ts';
import { noProfiling, profilingInto, type PhaseProfiler } from './profile/capture.ts';
import { summarizeProfiles } from './profile/summary.ts';
import { checkTargets, currentLoad, machineInfo, printReport, type BenchResults } from './report.ts';
import { compareLatency, compareThroughput, startSideBySide } from './side-by-side.ts';
import { buildDist, measureWidget, startHostPage } from './widget.ts';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' }, profile: { type: 'boolean' }, 'no-build': { type: 'boolean' } } });
const config = flags.quick ? QUICK : FULL;
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
setTimeout(() => {
  results.errors.push({ section: 'budget', message: `stopped after ${(2 * config.budgetMs) / 60_000} min (twice the budget); figures so far follow` });
  finish(2);
}, 2 * config.budgetMs).unref();
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
const [, stage] = await Promise.all([
  flags['no-build'] ? undefined : section('build', buildDist),
  section('start parley and the bare relay', () => startSideBySide(config, [host.origin], profiler)),
]);
if (stage) {
  try {
    results.widget = await section('widget', () => measureWidget(host, stage.parley.server.url, stage.chatSite, config, log));
    results.latency = await section('latency', () => compareLatency(stage, config, profiler, log));
    results.throughput = await section('throughput', () => compareThroughput(stage, config, profiler, log));
    results.persistence = await section('persistence', () => measurePersistence(stage, config, profiler, log));
  } finally {
    host.close();
    await stage.stop();
  }
}
results.connections = await section('connections', () => measureConnections(config, profiler, log));

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
  const file = join(dir, `${flags.profile ? 'summary' : 'latest'}${flags.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${printReport(results)}\n\nWritten to ${file}\n`);
  killEverything();
  process.exit(code);
}
