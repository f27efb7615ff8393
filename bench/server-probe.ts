/**
 * Preloaded into each measured server process (`--import ./bench/server-probe.ts`), so nothing is added to
 * the server itself: answers the orchestrator over IPC with memory, CPU and event-loop delay.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { countSqlStatements, takeSqlCounts } from './profile/sql-counter.ts';
import { serveRpc } from './rpc.ts';

const countingSql = process.env.BENCH_COUNT_SQL === '1';
if (countingSql) countSqlStatements();

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let since = { cpu: process.cpuUsage(), at: performance.now() };

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export interface ProbeStats {
  /** Event-loop delay since the last reset, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Share of one core used since the last reset (1 = one full core). */
  cpu: number;
  heapUsed: number;
  rss: number;
  external: number;
}

export const probeApi = {
  /** Figures since the last call; `gc` collects first (needs --expose-gc), for memory per connection. */
  stats({ gc = false }: { gc?: boolean }): ProbeStats {
    const delay = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    const cpu = process.cpuUsage(since.cpu);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - since.at);
    if (gc && globalThis.gc) for (let i = 0; i < 3; i++) globalThis.gc();
    const memory = process.memoryUsage();
    loopDelay.reset();
    since = { cpu: process.cpuUsage(), at: performance.now() };
    return { loopDelay: delay, cpu: Math.round(cpuShare * 100) / 100, heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external };
  },
  /** With BENCH_COUNT_SQL=1 (--profile): statements prepared since the last call, by kind. */
  sqlCounts(): Record<string, number> | null {
    return countingSql ? takeSqlCounts() : null;
  },
  heapSnapshot({ path }: { path: string }): string {
    return writeHeapSnapshot(path);
  },
  /** The V8 sampling profiler for one phase (what --cpu-prof records for a whole process), in-process: no port opens. */
  async startCpuProfile(): Promise<null> {
    profiler ??= new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 500 });
    await profiler.post('Profiler.start');
    return null;
  },
  async stopCpuProfile({ path }: { path: string }): Promise<string> {
    if (!profiler) throw new Error('no profile running');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    writeFileSync(path, JSON.stringify(profile));
    return path;
  },
};

let profiler: Session | undefined;

export type ProbeApi = typeof probeApi;

// The orchestrator went away: shut the server down the way an operator would.
serveRpc(probeApi, () => process.kill(process.pid, 'SIGTERM'));
