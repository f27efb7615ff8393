/**
 * Queue and assignment engine: pure, synchronous, deterministic (time comes from the injected clock).
 *
 * The database stays the source of truth. The app rebuilds the engine with load() at start, asks it
 * for decisions, persists them with guarded updates, and calls sync()/forget() when another writer
 * won. Every mutating call ends by performing all possible auto-assignments, so between calls
 * "nothing waits while an eligible agent serving its site has free capacity" holds.
 *
 * Within one Decision, requeues happened before assignments (a requeued conversation may appear in
 * both: persist the requeue first).
 */
import type { AgentStatus, QueuePositionDTO } from '../contract/dto.ts';
import type { ErrorCode } from '../contract/errors.ts';
import type { Clock } from './clock.ts';
import { EtaWindow, DEFAULT_ETA_WINDOW } from './eta.ts';
import { SiteQueue, compareQueued } from './queue.ts';

export interface AgentInput {
  id: string;
  /** 'all' for admins, who answer for every site. */
  siteIds: readonly string[] | 'all';
  /** Maximum concurrent active conversations (integer >= 0). */
  capacity: number;
  status: AgentStatus;
  active: boolean;
}

/** A conversation as the database has it: queued (assigneeId null) or active. */
export interface ConversationInput {
  id: string;
  siteId: string;
  queuedAt: number;
  assigneeId: string | null;
  assignedAt: number | null;
}

/** A past queued-to-assigned wait, to seed the estimate after a restart. */
export interface RecentWait {
  siteId: string;
  waitedMs: number;
  /** Queue position when it entered the queue; pass 1 when unknown (pessimistic). */
  position: number;
}

export interface LoadState {
  agents: readonly AgentInput[];
  conversations: readonly ConversationInput[];
  recentWaits?: readonly RecentWait[];
}

export interface Assignment {
  conversationId: string;
  agentId: string;
  siteId: string;
  /** Time spent in the queue this time round (since it last entered the queue). */
  waitedMs: number;
}

/** The assignee left (grace expired, deactivated, removed, unknown at load): back to the queue. */
export interface Requeue {
  conversationId: string;
  fromAgentId: string;
  siteId: string;
}

export interface Decision {
  /** Auto-assignments made by this call, in order. */
  assigned: Assignment[];
  requeued: Requeue[];
  /** Sites (sorted) whose queue order, positions, ETA or agentsOnline may have changed. */
  queueChanged: string[];
}

export type RoutingErrorCode = Extract<
  ErrorCode,
  | 'NOT_FOUND' // unknown conversation or agent
  | 'NOT_QUEUED' // claim of a conversation resolved since
  | 'ALREADY_ASSIGNED' // someone else holds it (lost a claim race)
  | 'AGENT_AT_CAPACITY'
  | 'AGENT_UNAVAILABLE' // transfer target not online+connected+active; claimer not connected
  | 'FORBIDDEN' // agent does not serve the site, or is deactivated
  | 'CONVERSATION_RESOLVED' // transfer/unassign/resolve of a resolved conversation
  | 'CONFLICT' // unassign of a conversation nobody holds
>;

/** fromAgentId: the assignee before the call. Equal to the target agent => nothing changed (idempotent retry). */
export type RoutingResult =
  | { ok: true; fromAgentId: string | null; decision: Decision }
  | { ok: false; code: RoutingErrorCode };

export type QueuePosition = QueuePositionDTO;

export interface ConversationState {
  id: string;
  siteId: string;
  status: 'queued' | 'active';
  queuedAt: number;
  assigneeId: string | null;
  assignedAt: number | null;
}

export interface AgentState {
  id: string;
  siteIds: readonly string[] | 'all';
  capacity: number;
  status: AgentStatus;
  active: boolean;
  connected: boolean;
  load: number;
  /** Receives auto-assignments: status online, connected and active. */
  eligible: boolean;
  lastAssignedAt: number | null;
  /** When their held conversations go back to the queue unless they return first. */
  graceDeadline: number | null;
}

export interface RoutingOptions {
  clock: Clock;
  /** How long a disconnected or away agent keeps their conversations. Default 60 s. */
  graceMs?: number;
  /** Samples kept per site for the wait estimate. Default 20. */
  etaWindow?: number;
  /** Resolved ids remembered to answer NOT_QUEUED rather than NOT_FOUND. Default 10,000. */
  resolvedMemory?: number;
}

interface Agent {
  id: string;
  siteIds: readonly string[] | 'all';
  sites: ReadonlySet<string> | 'all';
  capacity: number;
  status: AgentStatus;
  active: boolean;
  connected: boolean;
  convs: Set<string>;
  lastAssignedAt: number | null;
  /** When they last became eligible: the "earlier to come online" tie-break. */
  eligibleSince: number | null;
  deadline: number | null;
}

interface Conv {
  id: string;
  siteId: string;
  queuedAt: number;
  assigneeId: string | null;
  assignedAt: number | null;
  /** When it last entered the queue, and at which position: the ETA sample. */
  enteredAt: number;
  entryPosition: number;
  /** The agent who just handed it back: picked again only if nobody else can take it. */
  avoidAgentId: string | null;
}

const eligible = (a: Agent): boolean => a.active && a.connected && a.status === 'online';
const serves = (a: Agent, siteId: string): boolean => a.sites === 'all' || a.sites.has(siteId);
const cmpNullFirst = (a: number | null, b: number | null): number =>
  a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Least busy first; then idle longest (oldest last assignment, never = oldest); then online longest; then id. */
function compareCandidates(a: Agent, b: Agent): number {
  return (
    a.convs.size - b.convs.size ||
    cmpNullFirst(a.lastAssignedAt, b.lastAssignedAt) ||
    cmpNullFirst(a.eligibleSince, b.eligibleSince) ||
    cmpStr(a.id, b.id)
  );
}

export class RoutingEngine {
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly etaWindow: number;
  private readonly resolvedMemory: number;
  private agentMap = new Map<string, Agent>();
  private convs = new Map<string, Conv>();
  private queues = new Map<string, SiteQueue>();
  private etas = new Map<string, EtaWindow>();
  /** Insertion-ordered, so the oldest is evicted first. */
  private resolved = new Set<string>();
  private out: { assigned: Assignment[]; requeued: Requeue[] } = { assigned: [], requeued: [] };

  constructor(opts: RoutingOptions) {
    this.clock = opts.clock;
    this.graceMs = Math.max(0, opts.graceMs ?? 60_000);
    this.etaWindow = opts.etaWindow ?? DEFAULT_ETA_WINDOW;
    this.resolvedMemory = Math.max(0, opts.resolvedMemory ?? 10_000);
  }

  // ---- rebuild and agents -------------------------------------------------------------------

  /** Replaces all state. Agents start disconnected, so holders get a grace period to reconnect. */
  load(state: LoadState): Decision {
    return this.run(() => {
      this.agentMap.clear();
      this.convs.clear();
      this.queues.clear();
      this.etas.clear();
      this.resolved.clear();
      for (const a of state.agents) this.upsertAgentState(a);
      for (const c of state.conversations) if (!this.convs.has(c.id)) this.place(c);
      for (const w of state.recentWaits ?? []) this.eta(w.siteId).add(w);
    });
  }

  /** Creates or changes an agent. Deactivation requeues their conversations at once. */
  upsertAgent(input: AgentInput): Decision {
    return this.run(() => this.upsertAgentState(input));
  }

  /** Deleting an agent requeues their conversations at once. */
  removeAgent(agentId: string): Decision {
    return this.run(() => {
      const agent = this.agentMap.get(agentId);
      if (!agent) return;
      this.requeueAll(agent);
      this.agentMap.delete(agentId);
    });
  }

  /** First socket opened (the app counts sockets). Unknown agents are ignored. */
  connect(agentId: string): Decision {
    return this.run(() => this.changeAgent(agentId, { connected: true }));
  }

  /** Last socket closed. */
  disconnect(agentId: string): Decision {
    return this.run(() => this.changeAgent(agentId, { connected: false }));
  }

  setStatus(agentId: string, status: AgentStatus): Decision {
    return this.run(() => this.changeAgent(agentId, { status }));
  }

  // ---- conversations ------------------------------------------------------------------------

  /** The visitor's first message. Idempotent for a conversation already known. */
  enqueue(conv: { id: string; siteId: string; queuedAt: number }): Decision {
    return this.run(() => {
      if (this.convs.has(conv.id)) return;
      this.resolved.delete(conv.id);
      this.place({ ...conv, assigneeId: null, assignedAt: null });
    });
  }

  /** Manual pick from the queue. Away agents may claim (a human choice); the claim cancels their grace. */
  claim(agentId: string, conversationId: string): RoutingResult {
    const conv = this.convs.get(conversationId);
    if (!conv) return fail(this.resolved.has(conversationId) ? 'NOT_QUEUED' : 'NOT_FOUND');
    const agent = this.agentMap.get(agentId);
    if (!agent) return fail('NOT_FOUND');
    if (!agent.active || !serves(agent, conv.siteId)) return fail('FORBIDDEN');
    if (conv.assigneeId === agentId) return { ok: true, fromAgentId: agentId, decision: emptyDecision() };
    if (conv.assigneeId !== null) return fail('ALREADY_ASSIGNED');
    // A disconnected holder nobody watches would keep the chat forever.
    if (!agent.connected) return fail('AGENT_UNAVAILABLE');
    if (agent.convs.size >= agent.capacity) return fail('AGENT_AT_CAPACITY');
    const decision = this.run(() => {
      this.assign(conv, agent, false);
      agent.deadline = null;
    });
    return { ok: true, fromAgentId: null, decision };
  }

  /** Hands a conversation (active or queued) to an online, connected agent who serves its site. */
  transfer(conversationId: string, toAgentId: string): RoutingResult {
    const conv = this.convs.get(conversationId);
    if (!conv) return fail(this.resolved.has(conversationId) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND');
    const agent = this.agentMap.get(toAgentId);
    if (!agent) return fail('NOT_FOUND');
    if (!serves(agent, conv.siteId)) return fail('FORBIDDEN');
    if (conv.assigneeId === toAgentId) return { ok: true, fromAgentId: toAgentId, decision: emptyDecision() };
    if (!eligible(agent)) return fail('AGENT_UNAVAILABLE');
    if (agent.convs.size >= agent.capacity) return fail('AGENT_AT_CAPACITY');
    const from = conv.assigneeId;
    const decision = this.run(() => {
      // A queued one stays in its queue until assign() takes it out, which records the wait.
      if (from !== null) this.detach(conv);
      this.assign(conv, agent, false);
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** Back to the queue with its original queuedAt, so it lands near the front. */
  unassign(conversationId: string): RoutingResult {
    const conv = this.convs.get(conversationId);
    if (!conv) return fail(this.resolved.has(conversationId) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND');
    const from = conv.assigneeId;
    if (from === null) return fail('CONFLICT');
    const decision = this.run(() => {
      this.detach(conv);
      this.enterQueue(conv);
      conv.avoidAgentId = from;
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** Leaves routing for good; the freed capacity pulls the next waiting conversation. */
  resolve(conversationId: string): RoutingResult {
    const conv = this.convs.get(conversationId);
    if (!conv) return fail(this.resolved.has(conversationId) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND');
    const from = conv.assigneeId;
    const decision = this.run(() => {
      this.detach(conv);
      this.convs.delete(conv.id);
      this.rememberResolved(conv.id);
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** The database now says this (another writer won a race): replace what the engine believed. */
  sync(conv: ConversationInput): Decision {
    return this.run(() => {
      const old = this.convs.get(conv.id);
      if (old) {
        this.detach(old);
        this.convs.delete(conv.id);
      }
      this.resolved.delete(conv.id);
      this.place(conv);
    });
  }

  /** The database says it is gone or resolved elsewhere: drop it. */
  forget(conversationId: string): Decision {
    return this.run(() => {
      const conv = this.convs.get(conversationId);
      if (!conv) return;
      this.detach(conv);
      this.convs.delete(conversationId);
    });
  }

  // ---- grace deadlines ----------------------------------------------------------------------

  /** Earliest grace deadline, for the app's single timer. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const a of this.agentMap.values()) if (a.deadline !== null && (next === null || a.deadline < next)) next = a.deadline;
    return next;
  }

  /** Requeues the conversations of every agent whose grace deadline is <= now. */
  expireDue(): Decision {
    return this.run(() => {
      const now = this.clock.now();
      const due = [...this.agentMap.values()]
        .filter((a) => a.deadline !== null && a.deadline <= now)
        .sort((a, b) => a.deadline! - b.deadline! || cmpStr(a.id, b.id));
      // Returning (becoming eligible) clears the deadline, so every agent still carrying one is absent.
      for (const agent of due) {
        agent.deadline = null;
        this.requeueAll(agent);
      }
    });
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Positions and estimates for everyone waiting on a site, position 1 first. */
  queueSnapshot(siteId: string): QueuePosition[] {
    const ids = this.queues.get(siteId)?.ids() ?? [];
    const agentsOnline = this.agentsOnline(siteId);
    const perSlot = agentsOnline ? (this.etas.get(siteId)?.perSlotMs() ?? null) : null;
    return ids.map((conversationId, i) => ({
      conversationId,
      position: i + 1,
      estimatedWaitMs: EtaWindow.estimate(perSlot, i + 1),
      agentsOnline,
    }));
  }

  /** Some eligible agent (online, connected, active) serves the site, busy or not. */
  agentsOnline(siteId: string): boolean {
    for (const a of this.agentMap.values()) if (eligible(a) && serves(a, siteId)) return true;
    return false;
  }

  /** Sites with someone waiting. */
  queuedSites(): string[] {
    return [...this.queues].filter(([, q]) => q.size > 0).map(([s]) => s).sort(cmpStr);
  }

  agentLoad(agentId: string): number {
    return this.agentMap.get(agentId)?.convs.size ?? 0;
  }

  agentConversations(agentId: string): string[] {
    return [...(this.agentMap.get(agentId)?.convs ?? [])].sort(cmpStr);
  }

  agent(agentId: string): AgentState | undefined {
    const a = this.agentMap.get(agentId);
    return a && this.agentState(a);
  }

  agents(): AgentState[] {
    return [...this.agentMap.values()].map((a) => this.agentState(a)).sort((a, b) => cmpStr(a.id, b.id));
  }

  /** Ids of active agents who answer for a site. */
  agentsServing(siteId: string): string[] {
    return [...this.agentMap.values()].filter((a) => a.active && serves(a, siteId)).map((a) => a.id).sort(cmpStr);
  }

  conversation(id: string): ConversationState | undefined {
    const c = this.convs.get(id);
    if (!c) return undefined;
    const { siteId, queuedAt, assigneeId, assignedAt } = c;
    return { id, siteId, status: assigneeId === null ? 'queued' : 'active', queuedAt, assigneeId, assignedAt };
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Runs a mutation, then every possible auto-assignment, and reports what changed. */
  private run(mutate: () => void): Decision {
    const before = this.signatures();
    this.out = { assigned: [], requeued: [] };
    mutate();
    this.drain();
    const after = this.signatures();
    const changed = new Set<string>();
    for (const [site, sig] of before) if (after.get(site) !== sig) changed.add(site);
    for (const [site, sig] of after) if (before.get(site) !== sig) changed.add(site);
    const { assigned, requeued } = this.out;
    this.out = { assigned: [], requeued: [] };
    return { assigned, requeued, queueChanged: [...changed].sort(cmpStr) };
  }

  /** What a waiting visitor sees depends only on queue membership, the ETA basis and agentsOnline. */
  private signatures(): Map<string, string> {
    const sigs = new Map<string, string>();
    for (const [site, q] of this.queues) {
      if (q.size === 0) continue;
      sigs.set(site, `${q.version}|${this.agentsOnline(site)}|${this.etas.get(site)?.perSlotMs() ?? ''}`);
    }
    return sigs;
  }

  /**
   * Repeatedly takes, among the site queue heads some eligible agent can take, the oldest by
   * (queuedAt, id), and gives it to the best candidate. Heads suffice: every conversation of a
   * site has the same candidate set, so if the head cannot be taken nothing behind it can.
   */
  private drain(): void {
    for (;;) {
      let best: { conv: Conv; agent: Agent } | null = null;
      for (const q of this.queues.values()) {
        const head = q.head();
        if (!head || (best && compareQueued(best.conv, head) <= 0)) continue;
        const conv = this.convs.get(head.id)!;
        const agent = this.pickAgent(conv);
        if (agent) best = { conv, agent };
      }
      if (!best) return;
      this.assign(best.conv, best.agent, true);
    }
  }

  private pickAgent(conv: Conv): Agent | null {
    let best: Agent | null = null;
    let avoided: Agent | null = null;
    for (const a of this.agentMap.values()) {
      if (!eligible(a) || !serves(a, conv.siteId) || a.convs.size >= a.capacity) continue;
      if (a.id === conv.avoidAgentId) avoided = a;
      else if (!best || compareCandidates(a, best) < 0) best = a;
    }
    return best ?? avoided;
  }

  private assign(conv: Conv, agent: Agent, auto: boolean): void {
    const now = this.clock.now();
    if (conv.assigneeId === null && this.queue(conv.siteId).remove(conv)) {
      const waitedMs = Math.max(0, now - conv.enteredAt);
      this.eta(conv.siteId).add({ waitedMs, position: conv.entryPosition });
      if (auto) this.out.assigned.push({ conversationId: conv.id, agentId: agent.id, siteId: conv.siteId, waitedMs });
    }
    conv.assigneeId = agent.id;
    conv.assignedAt = now;
    conv.avoidAgentId = null;
    agent.convs.add(conv.id);
    agent.lastAssignedAt = now;
  }

  /** Takes a conversation off its agent or out of its queue. */
  private detach(conv: Conv): void {
    if (conv.assigneeId === null) {
      this.queue(conv.siteId).remove(conv);
    } else {
      this.agentMap.get(conv.assigneeId)?.convs.delete(conv.id);
      conv.assigneeId = null;
      conv.assignedAt = null;
    }
  }

  private enterQueue(conv: Conv, enteredAt = this.clock.now()): void {
    conv.enteredAt = enteredAt;
    conv.entryPosition = this.queue(conv.siteId).insert(conv);
  }

  private requeueAll(agent: Agent): void {
    const held = [...agent.convs].map((id) => this.convs.get(id)!).sort(compareQueued);
    for (const conv of held) {
      this.detach(conv);
      this.enterQueue(conv);
      this.out.requeued.push({ conversationId: conv.id, fromAgentId: agent.id, siteId: conv.siteId });
    }
  }

  /** Puts a conversation from the database where it belongs; a holder that cannot hold it requeues it. */
  private place(input: ConversationInput): void {
    const now = this.clock.now();
    const conv: Conv = {
      id: input.id,
      siteId: input.siteId,
      queuedAt: input.queuedAt,
      assigneeId: null,
      assignedAt: null,
      enteredAt: now,
      entryPosition: 1,
      avoidAgentId: null,
    };
    this.convs.set(conv.id, conv);
    const holder = input.assigneeId === null ? undefined : this.agentMap.get(input.assigneeId);
    if (holder?.active) {
      conv.assigneeId = holder.id;
      conv.assignedAt = input.assignedAt;
      holder.convs.add(conv.id);
      const at = input.assignedAt;
      if (at !== null && (holder.lastAssignedAt === null || at > holder.lastAssignedAt)) holder.lastAssignedAt = at;
      // Held by someone absent with no timer running: start one so it cannot be stuck.
      if (!eligible(holder) && holder.deadline === null) holder.deadline = now + this.graceMs;
      return;
    }
    // Waiting since it was queued (or, when requeued from a vanished holder, since now).
    this.enterQueue(conv, input.assigneeId === null ? Math.min(input.queuedAt, now) : now);
    if (input.assigneeId !== null) {
      this.out.requeued.push({ conversationId: conv.id, fromAgentId: input.assigneeId, siteId: conv.siteId });
    }
  }

  private upsertAgentState(input: AgentInput): void {
    let agent = this.agentMap.get(input.id);
    if (!agent) {
      agent = {
        id: input.id,
        siteIds: [],
        sites: new Set(),
        capacity: 0,
        status: 'offline',
        active: true,
        connected: false,
        convs: new Set(),
        lastAssignedAt: null,
        eligibleSince: null,
        deadline: null,
      };
      this.agentMap.set(input.id, agent);
    }
    // Conversations of sites no longer served, or above a lowered capacity, stay: no chat is yanked mid-way.
    agent.siteIds = input.siteIds === 'all' ? 'all' : [...input.siteIds];
    agent.sites = input.siteIds === 'all' ? 'all' : new Set(input.siteIds);
    agent.capacity = Math.max(0, Math.floor(input.capacity));
    this.changeAgent(input.id, { status: input.status, active: input.active });
  }

  /**
   * Presence rules. Becoming eligible cancels any grace. Losing the connection or choosing a
   * non-online status (away or offline alike: a mistaken click should not drop chats) starts a
   * grace period if the agent holds conversations. Deactivation requeues at once.
   */
  private changeAgent(agentId: string, patch: { connected?: boolean; status?: AgentStatus; active?: boolean }): void {
    const agent = this.agentMap.get(agentId);
    if (!agent) return;
    const wasEligible = eligible(agent);
    const lostConnection = agent.connected && patch.connected === false;
    const wentAway = patch.status !== undefined && patch.status !== agent.status && patch.status !== 'online';
    if (patch.connected !== undefined) agent.connected = patch.connected;
    if (patch.status !== undefined) agent.status = patch.status;
    if (patch.active !== undefined) agent.active = patch.active;
    const now = this.clock.now();
    if (!agent.active) {
      agent.deadline = null;
      agent.eligibleSince = null;
      this.requeueAll(agent);
    } else if (eligible(agent)) {
      agent.deadline = null;
      if (!wasEligible) agent.eligibleSince = now;
    } else {
      agent.eligibleSince = null;
      if ((lostConnection || wentAway) && agent.deadline === null && agent.convs.size > 0) {
        agent.deadline = now + this.graceMs;
      }
    }
  }

  private agentState(a: Agent): AgentState {
    return {
      id: a.id,
      siteIds: a.siteIds,
      capacity: a.capacity,
      status: a.status,
      active: a.active,
      connected: a.connected,
      load: a.convs.size,
      eligible: eligible(a),
      lastAssignedAt: a.lastAssignedAt,
      graceDeadline: a.deadline,
    };
  }

  private rememberResolved(id: string): void {
    if (this.resolvedMemory === 0) return;
    this.resolved.delete(id);
    this.resolved.add(id);
    if (this.resolved.size > this.resolvedMemory) {
      const oldest = this.resolved.values().next();
      if (!oldest.done) this.resolved.delete(oldest.value);
    }
  }

  private queue(siteId: string): SiteQueue {
    let q = this.queues.get(siteId);
    if (!q) this.queues.set(siteId, (q = new SiteQueue()));
    return q;
  }

  private eta(siteId: string): EtaWindow {
    let e = this.etas.get(siteId);
    if (!e) this.etas.set(siteId, (e = new EtaWindow(this.etaWindow)));
    return e;
  }
}

const fail = (code: RoutingErrorCode): RoutingResult => ({ ok: false, code });
const emptyDecision = (): Decision => ({ assigned: [], requeued: [], queueChanged: [] });
