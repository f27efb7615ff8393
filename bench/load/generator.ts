/**
 * The load generator: a process of its own (forked by the orchestrator), driven over IPC. It holds the
 * visitor and agent sockets of one target, so one clock times both ends of every message.
 */
import { serveRpc } from '../rpc.ts';
import type { Credentials, Site } from '../setup.ts';
import { pool } from '../stats.ts';
import { BurstAgents, BurstVisitors, openingMessages } from './burst.ts';
import { IdleVisitors } from './idle.ts';
import { MAX_MESSAGE_LENGTH } from '../../server/contract/events.ts';
import { BODY, closedLoop, flood, paced, type PacedOptions } from './patterns.ts';
import { BareTarget, ParleyTarget, type Pair, type ParleyTargetOptions, type Target } from './targets.ts';

/** Parley on one node (`url`) or several (`urls`: agents and visitors spread over them). */
export type TargetSpec =
  | ({ kind: 'parley'; url: string | string[]; site: Site; agents: Credentials[] } & ParleyTargetOptions)
  | { kind: 'bare'; url: string; agentCount: number };

let target: Target | undefined;
const pairs: Pair[] = [];
let idle: IdleVisitors | undefined;
/** The flood section's one flooding visitor, with its conversation. */
let flooder: Pair | undefined;
let burstVisitors: BurstVisitors | undefined;
let burstAgents: BurstAgents | undefined;

/** The longest valid message: MAX_MESSAGE_LENGTH characters of 3 bytes each in UTF-8. */
const HUGE_BODY = '长'.repeat(MAX_MESSAGE_LENGTH);

function requireTarget(): Target {
  if (!target) throw new Error('start the generator first');
  return target;
}

const api = {
  /** Connects a target's agents; a target started before is let go first (its sockets closed). */
  async start(spec: TargetSpec) {
    for (const socket of target?.sockets() ?? []) socket.disconnect();
    pairs.length = 0;
    target = spec.kind === 'parley' ? new ParleyTarget(spec.url, spec.site, spec.agents, spec) : new BareTarget(spec.url, spec.agentCount);
    await target.start();
    return null;
  },

  /** Grows to `count` open conversations, each assigned to an agent, `concurrency` at a time (default 50). */
  async open({ count, concurrency = 50 }: { count: number; concurrency?: number }) {
    const startedAt = performance.now();
    const from = pairs.length;
    const opening: Pair[] = [];
    await pool(count - from, concurrency, async (i) => {
      opening[i] = await requireTarget().openPair(from + i);
    });
    pairs.push(...opening);
    const crossNode = target instanceof ParleyTarget ? target.crossNode(pairs) : 0;
    return { conversations: pairs.length, crossNode, ms: Math.round(performance.now() - startedAt) };
  },

  /** Parley on several nodes: moves the agents and visitors over `urls` (see ParleyTarget.spread). */
  async spread({ urls }: { urls: string[] }) {
    const startedAt = performance.now();
    if (!(target instanceof ParleyTarget)) throw new Error('start a Parley target first');
    await target.spread(urls, pairs);
    return { conversations: pairs.length, crossNode: target.crossNode(pairs), ms: Math.round(performance.now() - startedAt) };
  },

  paced({ count, ...options }: { count: number } & PacedOptions) {
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

  /** The flooding visitor: its own connection and conversation, from its own address (see ParleyTargetOptions). */
  async floodPrepare({ url, site, addressBlock }: { url: string; site: Site; addressBlock: number }) {
    const { visitor, conversation } = await new ParleyTarget(url, site, [], { addressBlock }).openConversation();
    flooder = { conversationId: conversation.id, visitor, agent: null };
    return null;
  },

  /** Floods for `durationMs` with ordinary bodies, or with the longest valid ones (`huge`). */
  flood({ huge, durationMs, windowBytes }: { huge: boolean; durationMs: number; windowBytes: number }) {
    if (!flooder) throw new Error('prepare the flooder first');
    return flood(flooder.visitor, flooder.conversationId, { body: huge ? HUGE_BODY : BODY, durationMs, windowBytes });
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

  /** The burst section's agents (all but `online` held away), in a generator of their own. */
  burstAgents({ urls, agents, online }: { urls: string[]; agents: Credentials[]; online: number }) {
    burstAgents?.close();
    burstAgents = new BurstAgents(urls);
    return burstAgents.connect(agents, online);
  },

  burstAgentsOnline() {
    if (!burstAgents) throw new Error('connect the burst agents first');
    return burstAgents.comeOnline();
  },

  burstAgentsHeard() {
    if (!burstAgents) throw new Error('connect the burst agents first');
    return burstAgents.changeFramesHeard();
  },

  /** The burst section's visitors, connected before it fires. */
  burstVisitors({ urls, site, visitors }: { urls: string[]; site: Site; visitors: number }) {
    burstVisitors?.close();
    burstVisitors = new BurstVisitors(urls, site);
    return burstVisitors.connectVisitors(visitors);
  },

  burstFire({ windowMs }: { windowMs: number }) {
    if (!burstVisitors) throw new Error('connect the burst visitors first');
    return burstVisitors.fire({ windowMs });
  },

  burstWatchDrain() {
    if (!burstVisitors) throw new Error('connect the burst visitors first');
    return burstVisitors.watchDrain();
  },

  burstDrained(online: { agents: number; startedAt: number }) {
    if (!burstVisitors) throw new Error('connect the burst visitors first');
    return burstVisitors.drained(online);
  },

  openingMessages({ url, site, count }: { url: string; site: Site; count: number }) {
    return openingMessages(url, site, count);
  },

  close() {
    burstVisitors?.close();
    burstAgents?.close();
    for (const socket of target?.sockets() ?? []) socket.disconnect();
    flooder?.visitor.disconnect();
    idle?.close();
    setTimeout(() => process.exit(0), 100);
    return null;
  },
};

export type GeneratorApi = typeof api;

serveRpc(api);
