/** Turns what `--profile` recorded into figures: CPU by area and function, SQL per message, heap per connection. */
import type { PhaseProfiler } from './capture.ts';
import { summarizeCpuProfile, type CpuSummary } from './summarize-cpu.ts';
import { heapDiffPerConnection, type HeapEntry } from './summarize-heap.ts';

export interface ProfileSummary {
  cpu: Record<string, CpuSummary>;
  /** Per phase: SQL statements prepared per unit of work (a message written, a visitor session made), by kind, "total" first. */
  sql: Record<string, { per: string; statements: Record<string, number> }>;
  heapPerConnection?: HeapEntry[];
}

/** `snapshotConnections`: how many idle connections the second heap snapshot held over the first. */
export function summarizeProfiles(profiler: PhaseProfiler, snapshotConnections: number | undefined): ProfileSummary {
  const cpu = Object.fromEntries(profiler.files.filter((f) => f.kind === 'cpu').map((f) => [f.phase, summarizeCpuProfile(f.path)]));
  const sql = Object.fromEntries(
    Object.entries(profiler.sql).map(([phase, counts]) => {
      const counted = profiler.units[phase];
      if (counted) return [phase, { per: counted.name, statements: perUnit(counts, counted.count) }];
      const per = UNIT_OF_WORK[phase] ?? UNIT_OF_WORK.default!;
      return [phase, { per: per.name, statements: perUnit(counts, counts[per.statement] ?? 0) }];
    }),
  );
  const [before, after] = profiler.files.filter((f) => f.kind === 'heap');
  if (!before || !after || !snapshotConnections) return { cpu, sql };
  return { cpu, sql, heapPerConnection: heapDiffPerConnection(before.path, after.path, snapshotConnections) };
}

/** What one unit of each phase's work inserts exactly once. */
const UNIT_OF_WORK: Record<string, { name: string; statement: string }> = {
  sessions: { name: 'visitor session', statement: 'INSERT Visitor' },
  default: { name: 'message', statement: 'INSERT Message' },
};

function perUnit(counts: Record<string, number>, units: number): Record<string, number> {
  if (units === 0) return counts;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const rows: [string, number][] = [['total', total], ...Object.entries(counts)];
  return Object.fromEntries(rows.map(([kind, n]) => [kind, Math.round((n / units) * 100) / 100]));
}
