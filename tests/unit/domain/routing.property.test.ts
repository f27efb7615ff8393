/**
 * Randomized event sequences, reproducible by seed (ROUTING_SEED=n runs just that one;
 * ROUTING_SEQUENCES=n changes how many). After every step: invariants checked on the engine alone,
 * then full agreement with the naive reference model in model.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import { expect, it } from 'vitest';
import type { AgentStatus } from '../../../server/contract/dto.ts';
import { ManualClock } from '../../../server/domain/clock.ts';
import {
  RoutingEngine,
  type AgentInput,
  type ConversationInput,
  type Decision,
  type RoutingResult,
} from '../../../server/domain/routing.ts';
import { Model, type MResult } from './model.ts';

const SITES = ['s1', 's2', 's3'];
const AGENTS = ['A', 'B', 'C', 'D'];
/** A bot: takes only the new conversations routed to it, holds them like an agent until it hands off. */
const BOT = 'Z';
const STATUSES: AgentStatus[] = ['online', 'online', 'away', 'offline'];
const GRACE = 60_000;
const WINDOW = 5;
const SEQUENCES = Number(process.env.ROUTING_SEQUENCES ?? 1200);
const STEPS = 80;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Op =
  | { k: 'tick'; ms: number }
  | { k: 'expire' }
  | { k: 'enqueue'; id: string; siteId: string; queuedAt: number; botId?: string }
  | { k: 'handoff'; id: string; botId: string }
  | { k: 'upsert'; agent: AgentInput }
  | { k: 'remove' | 'connect' | 'disconnect'; agentId: string }
  | { k: 'status'; agentId: string; status: AgentStatus }
  | { k: 'claim' | 'assign' | 'transfer'; agentId: string; id: string }
  | { k: 'unassign' | 'resolve' | 'forget'; id: string }
  | { k: 'sync'; conv: ConversationInput }
  | { k: 'load'; dropAgent: string | null };

function generator(rnd: () => number, clock: ManualClock, engine: RoutingEngine) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const known: string[] = [];
  const sites = new Map<string, string>();
  let n = 0;
  const anyConv = () => (known.length === 0 || rnd() < 0.05 ? 'ghost' : pick(known));
  /** Mostly a conversation in the wanted state, so operations do more than bounce off errors. */
  const conv = (status: 'queued' | 'active') => {
    const live = known.filter((id) => engine.conversation(id)?.status === status);
    return live.length > 0 && rnd() < 0.7 ? pick(live) : anyConv();
  };
  const anyAgent = () => (rnd() < 0.05 ? 'X' : rnd() < 0.08 ? BOT : pick(AGENTS));
  const randomBot = (): AgentInput => ({
    id: BOT,
    siteIds: [pick(SITES)],
    capacity: pick([0, 1, 2, 3]),
    status: 'online',
    active: rnd() < 0.9,
    bot: true,
  });
  const randomAgent = (id: string): AgentInput => ({
    id,
    siteIds: rnd() < 0.15 ? 'all' : SITES.filter(() => rnd() < 0.5),
    capacity: pick([0, 1, 1, 2, 3]),
    status: pick(STATUSES),
    active: rnd() < 0.9,
  });
  // Start every sequence with a staffed team, so most steps happen in interesting states.
  const warmup: Op[] = AGENTS.flatMap((id): Op[] =>
    rnd() < 0.85 ? [{ k: 'upsert', agent: randomAgent(id) }, { k: 'connect', agentId: id }] : [],
  );
  if (rnd() < 0.7) warmup.push({ k: 'upsert', agent: randomBot() });
  const table: [number, () => Op][] = [
    [10, () => ({ k: 'tick', ms: pick([0, 1, 500, 20_000, GRACE - 1, GRACE, GRACE + 1]) })],
    [6, () => ({ k: 'expire' })],
    [
      14,
      () => {
        const id = `c${n++}`;
        const siteId = pick(SITES);
        known.push(id);
        sites.set(id, siteId);
        // Same-ms arrivals and slightly late reports exercise the id tie-break.
        const queuedAt = clock.now() - pick([0, 0, 0, 1000]);
        // Bot-first sites send new conversations to their bot, which may not serve this one or be full.
        return rnd() < 0.5 ? { k: 'enqueue', id, siteId, queuedAt, botId: BOT } : { k: 'enqueue', id, siteId, queuedAt };
      },
    ],
    [1, () => ({ k: 'upsert', agent: randomBot() })],
    [
      5,
      () => {
        const held = known.filter((id) => engine.conversation(id)?.assigneeId === BOT);
        return { k: 'handoff', id: held.length > 0 && rnd() < 0.8 ? pick(held) : conv('active'), botId: BOT };
      },
    ],
    [4, () => ({ k: 'upsert', agent: randomAgent(pick(AGENTS)) })],
    [1, () => ({ k: 'remove', agentId: pick(AGENTS) })],
    [9, () => ({ k: 'connect', agentId: anyAgent() })],
    [4, () => ({ k: 'disconnect', agentId: anyAgent() })],
    [5, () => ({ k: 'status', agentId: anyAgent(), status: pick(STATUSES) })],
    [10, () => ({ k: 'claim', agentId: anyAgent(), id: conv('queued') })],
    [6, () => ({ k: 'assign', agentId: anyAgent(), id: conv('queued') })],
    [9, () => ({ k: 'transfer', agentId: anyAgent(), id: conv('active') })],
    [5, () => ({ k: 'unassign', id: conv('active') })],
    [12, () => ({ k: 'resolve', id: rnd() < 0.7 ? conv('active') : anyConv() })],
    [1, () => ({ k: 'forget', id: anyConv() })],
    [
      2,
      () => {
        const id = anyConv();
        const assigneeId = rnd() < 0.4 ? null : anyAgent();
        const queuedAt = clock.now() - pick([0, 1000, 90_000]);
        const assignedAt = assigneeId === null ? null : clock.now();
        const conv: ConversationInput = { id, siteId: sites.get(id) ?? 's1', queuedAt, assigneeId, assignedAt };
        if (!known.includes(id)) known.push(id);
        return { k: 'sync', conv };
      },
    ],
    [0.5, () => ({ k: 'load', dropAgent: rnd() < 0.5 ? pick(AGENTS) : null })],
  ];
  const total = table.reduce((t, [w]) => t + w, 0);
  return {
    known,
    next(): Op {
      const first = warmup.shift();
      if (first) return first;
      let x = rnd() * total;
      for (const [w, make] of table) if ((x -= w) < 0) return make();
      return table[0]![1]();
    },
  };
}

/** The database as the engine currently believes it: what a restart would read back. */
function dump(engine: RoutingEngine, known: readonly string[]) {
  const agents: AgentInput[] = engine.agents().map(({ id, siteIds, capacity, status, active, bot }) => ({ id, siteIds, capacity, status, active, bot }));
  const conversations: ConversationInput[] = [];
  for (const id of known) {
    const c = engine.conversation(id);
    if (c) conversations.push({ id, siteId: c.siteId, queuedAt: c.queuedAt, assigneeId: c.assigneeId, assignedAt: c.assignedAt });
  }
  return { agents, conversations };
}

function apply(op: Op, engine: RoutingEngine, model: Model, known: readonly string[]): { eng: Decision | RoutingResult; mod: MResult | null } {
  model.begin();
  let eng: Decision | RoutingResult;
  let mod: MResult | null = null;
  switch (op.k) {
    case 'tick':
      throw new Error('handled by caller');
    case 'expire':
      eng = engine.expireDue();
      model.expireDue();
      break;
    case 'enqueue':
      eng = engine.enqueue(op);
      model.enqueue(op);
      break;
    case 'upsert':
      eng = engine.upsertAgent(op.agent);
      model.upsert(op.agent);
      break;
    case 'remove':
      eng = engine.removeAgent(op.agentId);
      model.remove(op.agentId);
      break;
    case 'connect':
      eng = engine.connect(op.agentId);
      model.connect(op.agentId);
      break;
    case 'disconnect':
      eng = engine.disconnect(op.agentId);
      model.disconnect(op.agentId);
      break;
    case 'status':
      eng = engine.setStatus(op.agentId, op.status);
      model.setStatus(op.agentId, op.status);
      break;
    case 'claim':
      eng = engine.claim(op.agentId, op.id);
      mod = model.claim(op.agentId, op.id);
      break;
    case 'assign':
      eng = engine.assign(op.id, op.agentId);
      mod = model.assign(op.id, op.agentId);
      break;
    case 'transfer':
      eng = engine.transfer(op.id, op.agentId);
      mod = model.transfer(op.id, op.agentId);
      break;
    case 'handoff':
      eng = engine.handoff(op.id, op.botId);
      mod = model.handoff(op.id, op.botId);
      break;
    case 'unassign':
      eng = engine.unassign(op.id);
      mod = model.unassign(op.id);
      break;
    case 'resolve':
      eng = engine.resolve(op.id);
      mod = model.resolve(op.id);
      break;
    case 'forget':
      eng = engine.forget(op.id);
      model.forget(op.id);
      break;
    case 'sync':
      eng = engine.sync(op.conv);
      model.sync(op.conv);
      break;
    case 'load': {
      // Sometimes an agent row vanished while we were down: their chats must come back requeued.
      const db = dump(engine, known);
      db.agents = db.agents.filter((a) => a.id !== op.dropAgent);
      eng = engine.load(db);
      model.load_(db.agents, db.conversations);
      break;
    }
  }
  model.drain();
  return { eng, mod };
}

// Plain checks in the hot loop: vitest's expect is too slow for ~100k steps.
function ok(cond: boolean, msg: string): void {
  if (!cond) throw new Error(msg);
}
function same(actual: unknown, expected: unknown, msg: string): void {
  if (!isDeepStrictEqual(actual, expected)) throw new Error(`${msg}: got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`);
}

const snapshots = (engine: RoutingEngine) => new Map(SITES.map((s) => [s, JSON.stringify(engine.queueSnapshot(s))]));

function checkInvariants(engine: RoutingEngine, known: readonly string[], prevLoad: Map<string, number>, capacityMayBreak: boolean) {
  const agents = engine.agents();
  const queued = new Map<string, string>(); // conversation -> site whose snapshot lists it
  for (const site of SITES) {
    const snap = engine.queueSnapshot(site);
    const online = agents.some((a) => a.eligible && (a.siteIds === 'all' || a.siteIds.includes(site)));
    snap.forEach((p, i) => {
      ok(p.position === i + 1, `position ${p.position} at index ${i}`);
      ok(p.agentsOnline === online, `agentsOnline wrong for ${site}`);
      ok(online || p.estimatedWaitMs === null, 'estimate with nobody online');
      ok(!queued.has(p.conversationId), `${p.conversationId} listed twice`);
      queued.set(p.conversationId, site);
      const c = engine.conversation(p.conversationId)!;
      ok(c.status === 'queued' && c.siteId === site && c.assigneeId === null, `${c.id} listed but not queued here`);
      const prev = snap[i - 1];
      if (prev) {
        const pc = engine.conversation(prev.conversationId)!;
        ok(pc.queuedAt < c.queuedAt || (pc.queuedAt === c.queuedAt && pc.id < c.id), `FIFO broken at ${c.id}`);
        ok(p.estimatedWaitMs === null || p.estimatedWaitMs >= prev.estimatedWaitMs!, 'estimate decreases with position');
      }
      ok((p.estimatedWaitMs === null) === (snap[0]!.estimatedWaitMs === null), 'estimate null for some positions only');
    });
    if (snap.length > 0) {
      // Nothing waits while an eligible agent serving the site has room.
      const free = agents.filter((a) => a.eligible && (a.siteIds === 'all' || a.siteIds.includes(site)) && a.load < a.capacity);
      same(free.map((a) => a.id), [], `site ${site} waits while agents have room`);
    }
  }
  const held = new Map<string, string[]>();
  for (const id of known) {
    const c = engine.conversation(id);
    if (!c) continue;
    if (c.assigneeId === null) {
      ok(queued.get(id) === c.siteId, `${id} queued but not in its snapshot`);
    } else {
      ok(!queued.has(id), `${id} both queued and assigned`);
      ok(engine.agent(c.assigneeId) !== undefined, `${id} held by unknown agent`);
      held.set(c.assigneeId, [...(held.get(c.assigneeId) ?? []), id]);
    }
  }
  for (const a of agents) {
    same(engine.agentConversations(a.id), (held.get(a.id) ?? []).sort(), `conversations of ${a.id}`);
    ok(a.load === engine.agentLoad(a.id), `load of ${a.id}`);
    ok(!a.eligible || a.graceDeadline === null, `eligible ${a.id} has a grace deadline`);
    if (a.load > a.capacity && !capacityMayBreak) {
      ok(a.load <= (prevLoad.get(a.id) ?? 0), `${a.id} pushed over capacity`);
    }
  }
}

function checkAgainstModel(engine: RoutingEngine, model: Model, known: readonly string[], eng: Decision | RoutingResult, mod: MResult | null) {
  if (mod) {
    const r = eng as RoutingResult;
    same(r.ok ? { code: 'ok', from: r.fromAgentId } : { code: r.code }, mod, 'result');
  }
  const d = 'queueChanged' in eng ? eng : eng.ok ? eng.decision : null;
  if (d) {
    same(d.assigned, model.out.assigned, 'assigned');
    same(d.requeued, model.out.requeued, 'requeued');
    for (const a of d.assigned) ok(engine.conversation(a.conversationId)?.assigneeId === a.agentId, `${a.conversationId} reported but not held`);
  }
  for (const id of known) {
    const c = engine.conversation(id);
    const m = model.conv(id);
    same(c ? { assignee: c.assigneeId, queuedAt: c.queuedAt } : null, m ? { assignee: m.assignee, queuedAt: m.queuedAt } : null, `conversation ${id}`);
  }
  for (const site of SITES) same(engine.queueSnapshot(site), model.snapshot(site), `snapshot ${site}`);
  for (const id of [...AGENTS, BOT]) {
    const a = engine.agent(id);
    const m = model.agent(id);
    same(
      a ? { load: a.load, deadline: a.graceDeadline, eligible: a.eligible } : null,
      m ? { load: model.load(id), deadline: m.deadline, eligible: model.elig(m) } : null,
      `agent ${id}`,
    );
  }
  same(engine.nextDeadline(), model.nextDeadline(), 'nextDeadline');
}

/** How often each outcome happened, so a generator that stops reaching a rule fails loudly. */
const coverage = new Map<string, number>();
const count = (key: string) => coverage.set(key, (coverage.get(key) ?? 0) + 1);

function runSequence(seed: number): number {
  const rnd = mulberry32(seed);
  const clock = new ManualClock(1_700_000_000_000);
  const engine = new RoutingEngine({ clock, graceMs: GRACE, etaWindow: WINDOW });
  const model = new Model(() => clock.now(), GRACE, WINDOW);
  const gen = generator(rnd, clock, engine);
  const log: string[] = [];
  let assignments = 0;
  for (let step = 0; step < STEPS; step++) {
    const op = gen.next();
    log.push(JSON.stringify(op));
    try {
      if (op.k === 'tick') {
        clock.advance(op.ms);
        continue;
      }
      const before = snapshots(engine);
      const prevLoad = new Map([...AGENTS, BOT].map((id) => [id, engine.agentLoad(id)]));
      const { eng, mod } = apply(op, engine, model, gen.known);
      const after = snapshots(engine);
      const d = 'queueChanged' in eng ? eng : eng.ok ? eng.decision : null;
      for (const site of SITES) {
        if (before.get(site) !== after.get(site)) {
          ok(d?.queueChanged.includes(site) ?? false, `snapshot of ${site} changed but was not reported`);
        }
      }
      if (d) assignments += d.assigned.length;
      count(`${op.k}:${'ok' in eng ? (eng.ok ? 'ok' : eng.code) : 'done'}`);
      if (d?.requeued.length) count(`${op.k}:requeued`);
      if (d?.assigned.length) count(`${op.k}:assigned`);
      for (const a of d?.assigned ?? []) {
        const bot = a.agentId === BOT ? engine.agent(BOT)! : null;
        // A bot gets only new conversations of its own site, routed to it; never from the queue.
        if (bot) ok(op.k === 'enqueue' && op.botId === BOT && (bot.siteIds === 'all' || bot.siteIds.includes(a.siteId)), `bot took ${a.conversationId} by ${op.k}`);
      }
      if (op.k === 'enqueue' && d?.assigned.some((a) => a.agentId === BOT)) count('enqueue:to-bot');
      if (op.k === 'enqueue' && op.botId && d?.assigned.length === 0) count('enqueue:bot-full-queued');
      if (op.k === 'claim' && 'ok' in eng && eng.ok && eng.fromAgentId === BOT) count('claim:from-bot');
      if (op.k === 'unassign' && 'ok' in eng && eng.ok && eng.decision.assigned.some((a) => a.agentId !== eng.fromAgentId)) {
        count('unassign:to-other');
      }
      if (d && d.assigned.some((a) => d.requeued.some((r) => r.conversationId === a.conversationId))) count('requeue-then-assign');
      if (SITES.some((s) => engine.queueSnapshot(s)[1]?.estimatedWaitMs)) count('eta:shown');
      checkInvariants(engine, gen.known, prevLoad, op.k === 'sync' || op.k === 'load');
      checkAgainstModel(engine, model, gen.known, eng, mod);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`seed ${seed}, step ${step}: ${msg}\nlast ops:\n${log.slice(-12).join('\n')}`);
    }
  }
  return assignments;
}

it(`${SEQUENCES} random event sequences keep every invariant and match the reference model`, () => {
  const only = process.env.ROUTING_SEED;
  const seeds = only ? [Number(only)] : Array.from({ length: SEQUENCES }, (_, i) => 0x9e3779b9 ^ (i * 2654435761));
  let assignments = 0;
  for (const seed of seeds) assignments += runSequence(seed >>> 0);
  if (only) return;
  // The generator must actually reach every rule, or the invariants above prove little.
  expect(assignments).toBeGreaterThan(seeds.length);
  const reached = (key: string) => coverage.get(key) ?? 0;
  const wanted = [
    'claim:ok', 'claim:ALREADY_ASSIGNED', 'claim:NOT_QUEUED', 'claim:NOT_FOUND', 'claim:AGENT_AT_CAPACITY', 'claim:FORBIDDEN',
    'claim:AGENT_UNAVAILABLE', 'assign:ok', 'assign:ALREADY_ASSIGNED', 'assign:AGENT_AT_CAPACITY', 'assign:AGENT_UNAVAILABLE', 'assign:FORBIDDEN', 'transfer:ok', 'transfer:assigned', 'transfer:AGENT_AT_CAPACITY', 'transfer:AGENT_UNAVAILABLE',
    'transfer:FORBIDDEN', 'unassign:ok', 'unassign:to-other', 'unassign:CONFLICT', 'resolve:ok', 'resolve:assigned',
    'resolve:CONVERSATION_RESOLVED', 'expire:requeued', 'expire:assigned', 'requeue-then-assign', 'upsert:requeued',
    'remove:requeued', 'connect:assigned', 'status:assigned', 'sync:requeued', 'load:requeued', 'forget:assigned', 'eta:shown',
    'enqueue:to-bot', 'enqueue:bot-full-queued', 'handoff:ok', 'handoff:assigned', 'handoff:CONFLICT', 'claim:from-bot',
  ];
  expect(wanted.filter((k) => reached(k) === 0), JSON.stringify(Object.fromEntries(coverage))).toEqual([]);
}, 120_000);
