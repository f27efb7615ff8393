/** The burst and soak sections' tables and target checks (report.ts prints them with the rest). */
import type { BurstSection } from './burst.ts';
import type { BenchConfig } from './config.ts';
import { mb, pct, quantiles, table, type TargetCheck } from './report-format.ts';
import type { SoakResult } from './soak.ts';

const BURST_ASSIGNMENTS_PER_SECOND = 1000;
const BURST_P99_MS = 1000;
const SOAK_HEAP_GROWTH = 0.05;

export function burstTargets(burst: BurstSection | undefined): TargetCheck[] {
  const steps = burst?.steps ?? [];
  const slowest = steps.reduce<(typeof steps)[number] | undefined>((a, s) => (!a || s.drain.assignmentsPerSecond < a.drain.assignmentsPerSecond ? s : a), undefined);
  const worstP99 = steps.reduce<(typeof steps)[number] | undefined>((a, s) => (!a || s.burst.firstMessageToAssignment.p99 > a.burst.firstMessageToAssignment.p99 ? s : a), undefined);
  const wrong = steps.reduce((n, s) => n + s.check.assignedTwice + s.check.skipped + s.check.overCapacity, 0);
  return [
    {
      target: `queue burst: ≥ ${BURST_ASSIGNMENTS_PER_SECOND.toLocaleString('en')} assignments/s from the queue`,
      measured: slowest ? steps.map((s) => `${s.backend} ${s.drain.assignmentsPerSecond}/s`).join(', ') : 'not measured',
      pass: slowest ? slowest.drain.assignmentsPerSecond >= BURST_ASSIGNMENTS_PER_SECOND : null,
    },
    {
      target: `queue burst: first message → assignment p99 ≤ ${BURST_P99_MS} ms while agents have room`,
      measured: worstP99 ? steps.map((s) => `${s.backend} ${s.burst.firstMessageToAssignment.p99} ms`).join(', ') : 'not measured',
      pass: worstP99 ? worstP99.burst.firstMessageToAssignment.p99 <= BURST_P99_MS : null,
    },
    {
      target: 'queue burst: no conversation assigned twice or skipped, no agent over capacity',
      measured: steps.length > 0 ? `${wrong} wrong in ${steps.reduce((n, s) => n + s.check.conversations, 0)} conversations` : 'not measured',
      pass: steps.length > 0 ? wrong === 0 : null,
    },
  ];
}

export function soakTargets(soak: SoakResult | undefined): TargetCheck[] {
  return [
    {
      target: `soak: heap growth after warm-up < ${pct(SOAK_HEAP_GROWTH)}`,
      measured: soak ? `${(soak.heapGrowth * 100).toFixed(1)} % over ${soak.samples.length} samples` : 'not measured',
      pass: soak ? soak.heapGrowth < SOAK_HEAP_GROWTH : null,
    },
  ];
}

export function printBurst(burst: BurstSection, config: BenchConfig): string[] {
  const b = config.burst;
  const out = ['', `Queue burst: ${b.visitors.toLocaleString('en')} first messages within ${b.windowMs / 1000} s, ${b.agents} agents of capacity ${b.capacity} online; then ${b.moreAgents - b.agents} more come online at once`];
  for (const skipped of burst.skipped) out.push(`Skipped: ${skipped}`);
  for (const failed of burst.failed) out.push(`Failed: ${failed.split('\n')[0]}`);
  if (burst.steps.length === 0) return out;
  out.push(
    table(
      ['backend', 'assigned at arrival', '→ assignment p50', 'p99', 'max', 'assigned/s', 'positions/s', 'frames/agent', 'KB/agent', 'drained', 'drain assigned/s', 'errors', 'twice', 'skipped', 'over cap', 'waiting older', 'leader cpu', 'loop max'],
      burst.steps.map((s) => [
        s.nodes > 1 ? `${s.backend} (${s.nodes} nodes)` : s.backend,
        `${s.burst.assigned}/${s.burst.started}`,
        String(s.burst.firstMessageToAssignment.p50),
        String(s.burst.firstMessageToAssignment.p99),
        String(s.burst.firstMessageToAssignment.max),
        String(s.burst.assignmentsPerSecond),
        String(s.burst.queuePositionEventsPerSecond),
        String(Math.round(s.agentFrames.frames / s.agentFrames.agents)),
        String(Math.round(s.agentFrames.kilobytes / s.agentFrames.agents)),
        `${s.drain.assigned} in ${s.drain.ms} ms`,
        String(s.drain.assignmentsPerSecond),
        String(s.burst.errors),
        String(s.check.assignedTwice),
        String(s.check.skipped),
        String(s.check.overCapacity),
        String(s.check.waitingOlderThanAssigned),
        s.server.cpu.toFixed(2),
        String(s.server.loopDelay.max),
      ]),
    ),
  );
  out.push("frames/agent: conversation change frames each agent's console received during the burst; KB/agent: all it received meanwhile");
  out.push("twice / skipped / over cap / waiting older: from the database afterwards (waiting older: still queued though queued before the newest assigned one)");
  out.push('', `New conversations on an idle server (${b.openingConversations} visitors; the second message sent at once, without waiting for the first's ack), send → ack (ms)`);
  out.push(
    table(
      ['backend', 'message', 'n', 'p50', 'p95', 'p99', 'max', 'split'],
      burst.steps.flatMap((s) => [
        [s.backend, 'first', ...quantiles(s.opening.first), String(s.opening.split)],
        [s.backend, 'second', ...quantiles(s.opening.second), ''],
      ]),
    ),
  );
  out.push('split: visitors whose second message landed in another conversation than the first');
  out.push('', `Visitor session creation (POST /api/widget/session, one at a time), idle and under steady messages (ms)`);
  out.push(
    table(
      ['backend', 'when', 'n', 'p50', 'p95', 'p99', 'max'],
      burst.steps.flatMap((s) => [
        [s.backend, 'idle', ...quantiles(s.sessions.idle)],
        [s.backend, `${s.sessions.loadAcked} msg/s (of ${s.sessions.loadOffered} offered)`, ...quantiles(s.sessions.underLoad)],
      ]),
    ),
  );
  return out;
}

export function printSoak(soak: SoakResult, config: BenchConfig): string[] {
  const s = config.soak;
  const out = ['', `Soak: ${soak.conversations} conversations, one message every ${s.intervalMs / 1000} s each, ${s.durationMs / 60_000} min; heap after a full GC`];
  out.push(table(['at', 'heap', 'rss', 'cpu', 'loop p99'], soak.samples.map((x) => [`${Math.round(x.atMs / 1000)} s`, mb(x.heapUsed), mb(x.rss), x.cpu.toFixed(2), String(x.loopDelayP99)])));
  out.push(`Growth from ${s.growthFromMs / 1000} s to the end: heap ${(soak.heapGrowth * 100).toFixed(1)} %, RSS ${(soak.rssGrowth * 100).toFixed(1)} %; traffic: ${soak.traffic.sent} sent, ${soak.traffic.lost} lost, ${soak.traffic.errors} errors, visitor→agent p99 ${soak.traffic.visitorToAgent.p99} ms`);
  return out;
}
