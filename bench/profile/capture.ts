/** `--profile`: a CPU profile of Parley's process around each measured phase, and heap snapshots on request. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerProcess } from '../server-process.ts';

export interface PhaseProfiler {
  /** Whether servers should count their SQL statements (see sql-counter.ts). */
  readonly enabled: boolean;
  around<T>(server: ServerProcess, phase: string, work: () => Promise<T>): Promise<T>;
  heapSnapshot(server: ServerProcess, phase: string): Promise<void>;
  /** Files written so far, by phase. */
  readonly files: { phase: string; kind: 'cpu' | 'heap'; path: string }[];
  /** SQL statements prepared during each phase, by kind, when the server counts them. */
  readonly sql: Record<string, Record<string, number>>;
  /** A phase's units of work, when counting rows inserted would not tell them (batched inserts). */
  readonly units: Record<string, { name: string; count: number }>;
}

export const noProfiling: PhaseProfiler = {
  enabled: false,
  around: (_server, _phase, work) => work(),
  heapSnapshot: async () => {},
  files: [],
  sql: {},
  units: {},
};

export function profilingInto(dir: string): PhaseProfiler {
  mkdirSync(dir, { recursive: true });
  const files: PhaseProfiler['files'] = [];
  const sql: PhaseProfiler['sql'] = {};
  return {
    enabled: true,
    files,
    sql,
    units: {},
    async around(server, phase, work) {
      await server.probe.call('sqlCounts', undefined, 10_000);
      await server.probe.call('startCpuProfile', undefined, 10_000);
      try {
        return await work();
      } finally {
        const path = join(dir, `${phase}.cpuprofile`);
        await server.probe.call('stopCpuProfile', { path }, 60_000);
        files.push({ phase, kind: 'cpu', path });
        const counts = await server.probe.call('sqlCounts', undefined, 10_000);
        if (counts) sql[phase] = counts;
      }
    },
    async heapSnapshot(server, phase) {
      const path = join(dir, `${phase}.heapsnapshot`);
      await server.probe.call('heapSnapshot', { path }, 300_000);
      files.push({ phase, kind: 'heap', path });
    },
  };
}
