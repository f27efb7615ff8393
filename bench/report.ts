/** The run's figures: checked against the targets, printed as tables, written as JSON. */
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { BurstSection } from './burst.ts';
import { burstTargets, printBurst, printSoak, soakTargets } from './burst-report.ts';
import type { ClusterResult } from './cluster.ts';
import { clusterTargets, printCluster } from './cluster-report.ts';
import type { BenchConfig } from './config.ts';
import type { ConnectionsResult } from './connections.ts';
import { floodAllowance, type FloodSection } from './flood.ts';
import type { PersistenceResult } from './persistence.ts';
import { mb, pct, quantiles, table, type TargetCheck } from './report-format.ts';
import type { SoakResult } from './soak.ts';
import type { ProfileSummary } from './profile/summary.ts';
import type { LatencyLevel, ThroughputComparison } from './side-by-side.ts';
import { round, type Summary } from './stats.ts';
import { FRAME_BUDGET, LOADER_BUDGET } from '../widget/build/size-budget.ts';
import { describeWire } from '../widget/build/wire-size.ts';
import type { LongTasks, WidgetResult } from './widget.ts';

export type { TargetCheck } from './report-format.ts';

export interface BenchResults {
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    node: string;
    kernel: string;
    date: string;
    /** 1-minute load average at the start and the end: above the core count, other work shared the CPUs. */
    loadAverage: { start: number; end?: number };
  };
  mode: BenchConfig['mode'];
  profiled: boolean;
  durationMs: number;
  config: BenchConfig;
  widget?: WidgetResult;
  latency?: LatencyLevel[];
  throughput?: ThroughputComparison;
  persistence?: PersistenceResult;
  connections?: ConnectionsResult;
  flood?: FloodSection;
  cluster?: ClusterResult;
  burst?: BurstSection;
  soak?: SoakResult;
  targets: TargetCheck[];
  profiles?: ProfileSummary;
  errors: { section: string; message: string }[];
}

export function machineInfo(): BenchResults['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    date: new Date().toISOString(),
    loadAverage: { start: currentLoad() },
  };
}

export const currentLoad = () => Math.round(loadavg()[0]! * 100) / 100;

const KB = 1024;

export function checkTargets(r: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const top = r.latency?.at(-1);
  checks.push({
    target: 'visitor→agent p99 ≤ 25 ms at 1,000 conversations',
    measured: top ? `${top.parley.visitorToAgent.p99} ms at ${top.conversations}` : 'not measured',
    pass: top && top.conversations >= 1000 ? top.parley.visitorToAgent.p99 <= 25 && top.parley.lost === 0 && top.parley.errors === 0 : null,
  });
  checks.push({
    target: 'throughput ≥ 50% of the bare relay',
    measured: r.throughput ? `${pct(r.throughput.ratio)} (${r.throughput.parley.deliveredPerSecond} vs ${r.throughput.bare.deliveredPerSecond} msg/s)` : 'not measured',
    pass: r.throughput ? r.throughput.ratio >= 0.5 : null,
  });
  const c = r.connections;
  const heldStep = c?.steps.find((s) => s.target === c.held);
  // A run whose steps stop short of 10,000 (quick) can show a failure to hold its steps, never a pass.
  const lastStep = Math.max(...r.config.connections.steps);
  checks.push({
    target: '≥ 10,000 idle visitor connections in one process',
    measured: c ? `${c.held.toLocaleString('en')} held` : 'not measured',
    pass: c && (lastStep >= 10_000 || c.held < lastStep) ? c.held >= 10_000 : null,
  });
  checks.push({
    target: '≤ 30 KB heap per idle connection',
    measured: heldStep ? `${(heldStep.heapPerConnection / KB).toFixed(1)} KB at ${heldStep.connected.toLocaleString('en')}` : 'not measured',
    pass: heldStep ? heldStep.heapPerConnection <= 30 * KB : null,
  });
  checks.push({
    target: 'persistence ≥ 40% of raw single-writer SQLite',
    measured: r.persistence ? `${pct(r.persistence.ratio)} (${r.persistence.parleyPerSecond} vs ${r.persistence.rawSingleRowPerSecond}/s)` : 'not measured',
    pass: r.persistence ? r.persistence.ratio >= 0.4 : null,
  });
  const pgPersistence = r.persistence && !('skipped' in r.persistence.postgres) ? r.persistence.postgres : undefined;
  checks.push({
    target: 'PostgreSQL write path ≥ 40% of raw 100-row pg transactions',
    measured: pgPersistence ? `${pct(pgPersistence.ratio)} (${pgPersistence.parleyPerSecond} vs ${pgPersistence.rawBatch100PerSecond}/s)` : 'not measured',
    pass: pgPersistence ? pgPersistence.ratio >= 0.4 : null,
  });
  const windows = r.flood?.windows ?? [];
  const baseline = windows.find((w) => w.kind === 'baseline');
  const floods = windows.filter((w) => w.flooder);
  const worst = floods.reduce<(typeof floods)[number] | undefined>((a, w) => (!a || w.others.visitorToAgent.p99 > a.others.visitorToAgent.p99 ? w : a), undefined);
  const othersFailed = windows.reduce((n, w) => n + w.others.lost + w.others.errors, 0);
  checks.push({
    target: "one visitor flooding: others' visitor→agent p99 ≤ 2× baseline (or ≤ baseline + 10 ms)",
    measured:
      baseline && worst
        ? `${worst.others.visitorToAgent.p99} ms during ${worst.kind} vs ${baseline.others.visitorToAgent.p99} ms baseline (allowed ${round(floodAllowance(baseline.others.visitorToAgent.p99))})` +
          (othersFailed > 0 ? `; ${othersFailed} of the others' messages lost or refused` : '')
        : 'not measured',
    pass: baseline && worst ? worst.others.visitorToAgent.p99 <= floodAllowance(baseline.others.visitorToAgent.p99) && othersFailed === 0 : null,
  });
  const wire = r.widget?.sizes;
  for (const [part, budget] of [['loader', LOADER_BUDGET], ['frame', FRAME_BUDGET]] as const) {
    checks.push({
      target: `${part} ≤ ${budget} B on the wire (br)`,
      measured: wire ? `${wire[part].br} B` : 'not measured',
      pass: wire ? wire[part].br <= budget : null,
    });
  }
  const tasks = r.widget?.longTasks;
  checks.push({
    target: 'no long task from the widget before open',
    measured: tasks ? `${tasks.withWidget.count} with widget, ${tasks.withoutWidget.count} without (${tasks.runs} run${tasks.runs === 1 ? '' : 's'} each)` : 'not measured',
    pass: tasks ? tasks.withWidget.count <= tasks.withoutWidget.count : null,
  });
  checks.push(...clusterTargets(r.cluster, r.throughput), ...burstTargets(r.burst), ...soakTargets(r.soak));
  return checks;
}

export function printReport(r: BenchResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Parley bench (${r.mode}${r.profiled ? ', profiled' : ''}) on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}, ${m.date}; took ${(r.durationMs / 1000).toFixed(0)} s`);
  const busiest = Math.max(m.loadAverage.start, m.loadAverage.end ?? 0);
  out.push(`Load average ${m.loadAverage.start} at the start, ${m.loadAverage.end} at the end${busiest > m.cores ? ': other work shared the CPUs, so absolute figures are noisy (the side-by-side ratios less so)' : ''}`);
  if (r.latency) {
    const { intervalMs, durationMs } = r.config.latency;
    out.push('', `Latency, send → arrival on the other side (ms); each conversation sends 1 message every ${intervalMs / 1000} s, sides alternating; ${durationMs / 1000} s measured`);
    const rows = r.latency.flatMap((level) =>
      (['parley', 'bare'] as const).flatMap((name) => {
        const run = level[name];
        const line = (direction: string, s: Summary) => [String(level.conversations), name, direction, ...quantiles(s), String(run.lost + run.errors), run.server.cpu.toFixed(2), String(run.server.loopDelay.p99)];
        return [line('visitor→agent', run.visitorToAgent), line('agent→visitor', run.agentToVisitor), line('ack (commit)', run.ack)];
      }),
    );
    out.push(table(['convs', 'server', 'path', 'n', 'p50', 'p95', 'p99', 'max', 'lost+err', 'cpu', 'loop p99'], rows));
    out.push(`p99 ratio parley/bare, visitor→agent: ${r.latency.map((l) => `${l.conversations}: ${l.p99Ratio.visitorToAgent}×`).join(', ')}`);
  }
  if (r.throughput) {
    const t = r.throughput;
    out.push('', `Max throughput: ${t.parley.senders} visitors, each sending the next message on the ack (${r.config.throughput.durationMs / 1000} s)`);
    const row = (name: string, x: typeof t.parley) => [
      name,
      String(x.ackedPerSecond),
      String(x.deliveredPerSecond),
      String(x.ack.p50),
      String(x.ack.p99),
      String(x.errors),
      x.server.cpu.toFixed(2),
      x.server.mainThreadCpu?.toFixed(2) ?? '?',
      x.generatorCpu.toFixed(2),
      `${x.server.loopDelay.p99}/${x.server.loopDelay.max}`,
    ];
    out.push(table(['server', 'acked/s', 'delivered/s', 'ack p50', 'ack p99', 'errors', 'cpu', 'main thread', 'load cpu', 'loop p99/max'], [row('parley', t.parley), row('bare', t.bare)]));
    out.push(`parley/bare: ${pct(t.ratio)}`);
  }
  if (r.persistence) {
    const p = r.persistence;
    out.push('', 'Persistence (WAL, synchronous=FULL)');
    out.push(
      table(
        ['path', 'rows/s'],
        [
          [
            `parley write path (${p.writePath.senders} visitors, ack = commit; ack p99 ${p.writePath.ack.p99} ms, cpu ${p.writePath.server.cpu}, loop max ${p.writePath.server.loopDelay.max} ms)`,
            String(p.parleyPerSecond),
          ],
          ['raw better-sqlite3, single-row autocommit', String(p.rawSingleRowPerSecond)],
          ['raw better-sqlite3, 100-row transactions', String(p.rawBatch100PerSecond)],
          [
            `parley's writer statements alone (${p.writerAlone.batch} messages per transaction to ${p.writerAlone.conversations} conversations, a copy of its database)`,
            String(p.writerAlone.perSecond),
          ],
        ],
      ),
    );
    out.push(`parley/raw single-row: ${pct(p.ratio)}`);
    const g = p.postgres;
    out.push('', `Persistence on PostgreSQL${'skipped' in g ? `: skipped, ${g.skipped}` : ` (${g.database})`}`);
    if (!('skipped' in g)) {
      out.push(
        table(
          ['path', 'rows/s'],
          [
            [`parley write path (${g.senders} senders through the group commit, batches of ${g.meanBatch}, no sockets)`, String(g.parleyPerSecond)],
            ['raw pg, single-row autocommit', String(g.rawSingleRowPerSecond)],
            ['raw pg, 100-row transactions', String(g.rawBatch100PerSecond)],
          ],
        ),
      );
      out.push(`parley/raw 100-row: ${pct(g.ratio)}`);
    }
  }
  if (r.flood) {
    const f = r.flood;
    const { warmupMs, durationMs, jitter, rounds } = r.config.flood;
    const gaps = `${((f.intervalMs * (1 - jitter)) / 1000).toFixed(1)}–${((f.intervalMs * (1 + jitter)) / 1000).toFixed(1)} s`;
    out.push('', `One visitor flooding, production rate limits: ${f.conversations} other visitors each send to their agent every ${gaps}; ${durationMs / 1000} s measured per window (after ${warmupMs / 1000} s), the three windows in turn ${rounds}×, pooled per kind`);
    const label = (w: (typeof f.windows)[number]) => (w.flooder ? `${w.kind} (${w.flooder.bodyChars.toLocaleString('en')}-char bodies)` : w.kind);
    const rows = f.windows.map((w) => [
      label(w),
      ...quantiles(w.others.visitorToAgent),
      w.ratio ? `${w.ratio.p50}×/${w.ratio.p99}×` : '',
      String(w.others.lost + w.others.errors),
      w.server.cpu.toFixed(2),
      `${w.server.loopDelay.p99}/${w.server.loopDelay.max}`,
    ]);
    out.push(table(["window: others' visitor→agent (ms)", 'n', 'p50', 'p95', 'p99', 'max', 'p50/p99 vs base', 'lost+err', 'cpu', 'loop p99/max'], rows));
    const flooders = f.windows.flatMap((w) =>
      w.flooder
        ? [
            [
              label(w),
              `${w.flooder.attempted} (${w.flooder.attemptedPerSecond}/s)`,
              String(w.flooder.accepted),
              String(w.flooder.rateLimited),
              String(w.flooder.otherErrors),
              String(w.flooder.unanswered),
              String(w.flooder.disconnects),
              w.cpuPerFloodedMessageUs === undefined ? '' : `${w.cpuPerFloodedMessageUs} µs`,
              w.flooder.cpu.toFixed(2),
            ],
          ]
        : [],
    );
    out.push(table(['flooder (one visitor, own process)', 'attempted', 'accepted', 'rate-limited', 'other errors', 'unanswered', 'disconnects', 'server cpu each', 'its cpu'], flooders));
    out.push("server cpu each: the server's CPU above the baseline's per message the flooder sent, i.e. what refusing one costs; its cpu: the flooding process's own");
  }
  if (r.cluster) out.push(...printCluster(r.cluster, r.config.cluster, r.throughput));
  if (r.connections) {
    const c = r.connections;
    out.push('', `Idle visitor connections (baseline heap ${mb(c.baseline.heapUsed)}, RSS ${mb(c.baseline.rss)})`);
    const rows = c.steps.map((s) => [
      `${s.connected}/${s.target}`,
      String(s.failed + s.dropped),
      String(s.connectPerSecond),
      mb(s.server.heapUsed),
      `${(s.heapPerConnection / KB).toFixed(1)} KB`,
      mb(s.server.rss),
      `${(s.rssPerConnection / KB).toFixed(1)} KB`,
      `${s.server.loopDelay.p50}/${s.server.loopDelay.p99}/${s.server.loopDelay.max}`,
    ]);
    out.push(table(['connected', 'failed', 'conn/s', 'heap', 'heap/conn', 'rss', 'rss/conn', 'loop p50/p99/max ms'], rows));
  }
  if (r.widget) {
    const w = r.widget;
    out.push('', 'Widget (Chromium, fresh context each run, never opened)');
    out.push(
      table(
        ['measure', 'value'],
        [
          ['loader /widget.js on the wire', describeWire(w.sizes.loader)],
          [`frame on the wire (${w.sizes.frame.files.join(', ')})`, describeWire(w.sizes.frame)],
          ['script tag → bubble on screen', `p50 ${w.bubbleMs.p50} ms, max ${w.bubbleMs.max} ms (${w.bubbleMs.count} runs)`],
          ['long tasks with widget', longTaskList(w.longTasks.withWidget)],
          ['long tasks without widget', longTaskList(w.longTasks.withoutWidget)],
        ],
      ),
    );
    const slowed = w.mainThread;
    // Page and Parley are both on 127.0.0.1 (one site), so the frame runs in the page's process, as it does
    // with Parley on a subdomain of the shop: the worst case for the page.
    out.push('', `The host page's main thread, the frame in its process (same site), CPU slowed ${slowed.cpuSlowdown}×, ${slowed.loads} load${slowed.loads === 1 ? '' : 's'} of each after a warm-up, ${slowed.settleMs / 1000} s each`);
    const costs = Object.entries(slowed.cases).map(([name, c]) => [name, String(c.longTasks), String(c.longestMs), String(c.blockingMs), String(c.scriptMs)]);
    out.push(table(['page', 'long tasks', 'longest ms', 'blocking ms/load', 'script ms/load'], costs));
  }
  if (r.burst) out.push(...printBurst(r.burst, r.config));
  if (r.soak) out.push(...printSoak(r.soak, r.config));
  out.push('', 'Targets');
  out.push(table(['target', 'measured', 'result'], r.targets.map((t) => [t.target, t.measured, t.pass === null ? '—' : t.pass ? 'PASS' : 'FAIL'])));
  if (r.profiles) {
    for (const [phase, cpu] of Object.entries(r.profiles.cpu)) {
      out.push('', `CPU profile ${phase}: ${cpu.totalMs} ms sampled, ${pct(cpu.idle)} idle; busy time by area / by function`);
      out.push(table(['area', 'share'], cpu.byArea.slice(0, 8).map((a) => [a.area, `${a.share}%`])));
      out.push(table(['function', 'where', 'share'], cpu.byFunction.slice(0, 10).map((f) => [f.name, f.where, `${f.share}%`])));
    }
    // Only SQLite's statements are counted (sql-counter.ts): other backends' phases have none.
    for (const [phase, { per, statements }] of Object.entries(r.profiles.sql).filter(([, s]) => Object.values(s.statements).some((n) => n > 0))) {
      out.push('', `SQL statements prepared per ${per}, ${phase}`);
      out.push(table(['statement', `per ${per}`], Object.entries(statements).map(([kind, n]) => [kind, String(n)])));
    }
    if (r.profiles.heapPerConnection) {
      out.push('', 'Heap kept per idle connection (snapshot diff)');
      out.push(table(['kind', 'count', 'bytes'], r.profiles.heapPerConnection.map((h) => [h.kind, String(h.countPerConnection), String(h.bytesPerConnection)])));
    }
  }
  for (const e of r.errors) out.push('', `ERROR in ${e.section}: ${e.message.split('\n').slice(0, 6).join('\n')}`);
  return out.join('\n');
}

const longTaskList = (t: LongTasks) =>
  t.count === 0 ? '0' : `${t.count}: ${t.tasks.map((task) => `${task.durationMs} ms at ${task.atMs} ms`).join(', ')} (from the script tag)`;
