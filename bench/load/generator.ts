/**
 * The load generator: a process of its own (forked by the orchestrator), driven over IPC. It holds the
 * visitor and agent sockets of one target, so one clock times both ends of every message.
 */
import { serveRpc } from '../rpc.ts';
import type { Credentials, Site } from '../setup.ts';
import { pool } from '../stats.ts';
import { IdleVisitors } from './idle.ts';
import { closedLoop, paced } from './patterns.ts';
import { BareTarget, ParleyTarget, type Pair, type Target } from './targets.ts';

export type TargetSpec = { kind: 'parley'; url: string; site: Site; agents: Credentials[] } | { kind: 'bare'; url: string; agentCount: number };

let target: Target | undefined;
const pairs: Pair[] = [];
let idle: IdleVisitors | undefined;

function requireTarget(): Target {
  if (!target) throw new Error('start the generator first');
  return target;
}

const api = {
  async start(spec: TargetSpec) {
    target = spec.kind === 'parley' ? new ParleyTarget(spec.url, spec.site, spec.agents) : new BareTarget(spec.url, spec.agentCount);
    await target.start();
    return null;
  },

  /** Grows to `count` open conversations, each assigned to an agent. */
  async open({ count }: { count: number }) {
    const startedAt = performance.now();
    const from = pairs.length;
    const opening: Pair[] = [];
    await pool(count - from, 50, async (i) => {
      opening[i] = await requireTarget().openPair(from + i);
    });
    pairs.push(...opening);
    return { conversations: pairs.length, ms: Math.round(performance.now() - startedAt) };
  },

  paced({ count, ...options }: { count: number; intervalMs: number; warmupMs: number; durationMs: number }) {
    return paced(requireTarget(), pairs.slice(0, count), options);
  },

  closedLoop({ count, ...options }: { count: number; warmupMs: number; durationMs: number }) {
    return closedLoop(requireTarget(), pairs.slice(0, count), options);
  },

  /** Messages persisted per second: visitors of a site nobody serves, each sending as soon as the last is acked. */
  async writePath({ url, site, visitors, ...options }: { url: string; site: Site; visitors: number; warmupMs: number; durationMs: number }) {
    const writer = new ParleyTarget(url, site);
    const writers: Pair[] = [];
    await pool(visitors, 50, async () => {
      const { visitor, conversation } = await writer.openConversation();
      writers.push({ conversationId: conversation.id, visitor, agent: null });
    });
    const result = await closedLoop(writer, writers, options);
    for (const socket of writer.sockets()) socket.disconnect();
    return result;
  },

  async idleSessions({ url, site, count }: { url: string; site: Site; count: number }) {
    idle = new IdleVisitors(url, site);
    return idle.createSessions(count);
  },

  idleConnect({ count }: { count: number }) {
    if (!idle) throw new Error('create the idle sessions first');
    return idle.connectUpTo(count);
  },

  idleDropped() {
    return idle?.dropped() ?? 0;
  },

  close() {
    for (const socket of target?.sockets() ?? []) socket.disconnect();
    idle?.close();
    setTimeout(() => process.exit(0), 100);
    return null;
  },
};

export type GeneratorApi = typeof api;

serveRpc(api);
