/**
 * Preloaded into each measured server process (`--import ./bench/server-probe.ts`), so nothing is added to
 * the server itself: answers the orchestrator over IPC with memory, CPU and event-loop delay.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { countSqlStatements, takeSqlCounts } from './profile/sql-counter.ts';
import { serveRpc } from './rpc.ts';

const countingSql = process.env.BENCH_COUNT_SQL === '1';
if (countingSql) countSqlStatements();

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
/**
 * CPU time of the main thread alone, ms (Linux: /proc, in clock ticks of 10 ms; null elsewhere). Beside the
 * process's figure it shows whether the event loop or the other threads (SQLite's writer, GC helpers) work.
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

let since = { cpu: process.cpuUsage(), mainCpuMs: mainThreadCpuMs(), at: performance.now() };

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export interface ProbeStats {
  /** Event-loop delay since the last reset, ms. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Share of one core used since the last reset (1 = one full core). */
  cpu: number;
  /** The main thread's part of it (null where unknown). */
  mainThreadCpu: number | null;
  heapUsed: number;
  rss: number;
  external: number;
}

export const probeApi = {
  /** Figures since the last call; `gc` collects first (needs --expose-gc), for memory per connection. */
  stats({ gc = false }: { gc?: boolean }): ProbeStats {
    const delay = { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) };
    const cpu = process.cpuUsage(since.cpu);
    const elapsedMs = performance.now() - since.at;
    const cpuShare = (cpu.user + cpu.system) / 1000 / elapsedMs;
    const mainCpuMs = mainThreadCpuMs();
    const mainThreadCpu = mainCpuMs === null || since.mainCpuMs === null ? null : Math.round(((mainCpuMs - since.mainCpuMs) / elapsedMs) * 100) / 100;
    if (gc && globalThis.gc) for (let i = 0; i < 3; i++) globalThis.gc();
    const memory = process.memoryUsage();
    loopDelay.reset();
    since = { cpu: process.cpuUsage(), mainCpuMs: mainThreadCpuMs(), at: performance.now() };
    return { loopDelay: delay, cpu: Math.round(cpuShare * 100) / 100, mainThreadCpu, heapUsed: memory.heapUsed, rss: memory.rss, external: memory.external };
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
