/** The cluster section's table and its two targets: one PostgreSQL node against SQLite, three nodes against one. */
import type { ClusterResult, ClusterStep } from './cluster.ts';
import type { BenchConfig } from './config.ts';
import { pct, table, type TargetCheck } from './report-format.ts';
import type { ThroughputComparison } from './side-by-side.ts';

const PG_OF_SQLITE = 0.5;
const THREE_OF_ONE = 0.9;

/** A step's name: its node count, "again" when that count was measured before (one node, after the others). */
const stepName = (steps: ClusterStep[], i: number) => `${steps[i]!.nodes}${steps.findIndex((s) => s.nodes === steps[i]!.nodes) < i ? ', again' : ''}`;

/** The one-node runs' mean: the database grows from the first run to the last, and one node is measured at both ends. */
function oneNode(cluster: ClusterResult | undefined): { perSecond: number; runs: number[] } | undefined {
  const runs = (cluster?.steps ?? []).filter((s) => s.nodes === 1).map((s) => s.throughput.deliveredPerSecond);
  return runs.length > 0 ? { perSecond: Math.round(runs.reduce((a, b) => a + b, 0) / runs.length), runs } : undefined;
}

export function clusterTargets(cluster: ClusterResult | undefined, sqlite: ThroughputComparison | undefined): TargetCheck[] {
  const one = oneNode(cluster);
  const three = cluster?.steps.find((s) => s.nodes === 3)?.throughput.deliveredPerSecond;
  const sqlitePerSecond = sqlite?.parley.deliveredPerSecond;
  const ones = one ? `one node ${one.perSecond} (mean of ${one.runs.join(' and ')})` : '';
  return [
    {
      target: `one PostgreSQL node ≥ ${pct(PG_OF_SQLITE)} of one SQLite node (msg/s)`,
      measured: one && sqlitePerSecond ? `${pct(one.perSecond / sqlitePerSecond)}: ${ones} vs SQLite ${sqlitePerSecond}` : 'not measured',
      pass: one && sqlitePerSecond ? one.perSecond / sqlitePerSecond >= PG_OF_SQLITE : null,
    },
    {
      target: `three PostgreSQL nodes ≥ ${pct(THREE_OF_ONE)} of one on the same cores (msg/s)`,
      measured: one && three ? `${pct(three / one.perSecond)}: three nodes ${three} vs ${ones}` : 'not measured',
      pass: one && three ? three / one.perSecond >= THREE_OF_ONE : null,
    },
  ];
}

export function printCluster(c: ClusterResult, config: BenchConfig['cluster'], sqlite: ThroughputComparison | undefined): string[] {
  const out: string[] = [];
  out.push('', `Cluster: Parley nodes on PostgreSQL + Redis, ${config.senders} visitors each sending the next message on the ack; agent i on node i, visitor j on node j + 1 (${config.durationMs / 1000} s per node count)`);
  out.push(`NOTE: ${c.note}.`);
  if (c.skipped) out.push(`Skipped: ${c.skipped}`);
  const row = (nodes: string, x: ClusterStep['throughput'], across: string, cpu: string, loop: string) => [
    nodes,
    String(x.deliveredPerSecond),
    String(x.ackedPerSecond),
    ...(x.visitorToAgent ? [x.visitorToAgent.p50, x.visitorToAgent.p95, x.visitorToAgent.p99].map(String) : ['', '', '']),
    String(x.ack.p50),
    String(x.ack.p99),
    String(x.errors),
    across,
    cpu,
    loop,
  ];
  const rows = c.steps.map((s, i) =>
    row(stepName(c.steps, i), s.throughput, `${s.crossNode}/${s.conversations}`, s.cpu.toFixed(2), s.servers.map((p) => p.loopDelay.max).join('/')),
  );
  if (sqlite && c.steps.length > 0) rows.unshift(row(`1, SQLite (throughput section, ${sqlite.parley.senders} visitors)`, sqlite.parley, '—', sqlite.parley.server.cpu.toFixed(2), String(sqlite.parley.server.loopDelay.max)));
  if (rows.length > 0) {
    out.push(table(['nodes', 'delivered/s', 'acked/s', 'v→a p50', 'v→a p95', 'v→a p99', 'ack p50', 'ack p99', 'errors', 'across nodes', 'cpu (all)', 'loop max per node'], rows));
  }
  return out;
}
