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
import type { AgentStatus } from '../contract/dto.ts';
import type { Clock } from './clock.ts';
import { EtaWindow, DEFAULT_ETA_WINDOW } from './eta.ts';
import { compareQueued } from './queue.ts';
import { cmpStr, compareCandidates, hasRoom, serves, takesQueue, toAgentState, type RoutedAgent } from './routing-agents.ts';
import { RoutingState, type RoutedConversation } from './routing-state.ts';
import type {
  AgentInput,
  AgentState,
  ConversationInput,
  ConversationState,
  Decision,
  LoadState,
  QueuePosition,
  RoutingErrorCode,
  RoutingOptions,
  RoutingResult,
  WaitingLine,
} from './routing-types.ts';

export type * from './routing-types.ts';

export class RoutingEngine {
  private readonly clock: Clock;
  private readonly state: RoutingState;

  constructor(opts: RoutingOptions) {
    this.clock = opts.clock;
    const graceMs = Math.max(0, opts.graceMs ?? 60_000);
    this.state = new RoutingState(opts.clock, graceMs, opts.etaWindow ?? DEFAULT_ETA_WINDOW, opts.resolvedMemory ?? 10_000);
  }

  // ---- rebuild and agents -------------------------------------------------------------------

  /** Replaces all state. Agents start disconnected, so holders get a grace period to reconnect. */
  load(snapshot: LoadState): Decision {
    return this.run(() => {
      this.state.clear();
      for (const a of snapshot.agents) this.state.upsertAgent(a);
      for (const c of snapshot.conversations) if (!this.state.convs.has(c.id)) this.state.place(c);
      for (const w of snapshot.recentWaits ?? []) this.state.eta(w.siteId).add(w);
    });
  }

  /** Creates or changes an agent. Deactivation requeues their conversations at once. */
  upsertAgent(input: AgentInput): Decision {
    return this.run(() => this.state.upsertAgent(input));
  }

  /** Deleting an agent requeues their conversations at once. */
  removeAgent(agentId: string): Decision {
    return this.run(() => {
      const agent = this.state.agents.get(agentId);
      if (!agent) return;
      this.state.requeueAll(agent);
      this.state.agents.delete(agentId);
    });
  }

  /** First socket opened (the app counts sockets). Unknown agents are ignored. */
  connect(agentId: string): Decision {
    return this.run(() => this.state.changeAgent(agentId, { connected: true }));
  }

  /** Last socket closed. */
  disconnect(agentId: string): Decision {
    return this.run(() => this.state.changeAgent(agentId, { connected: false }));
  }

  setStatus(agentId: string, status: AgentStatus): Decision {
    return this.run(() => this.state.changeAgent(agentId, { status }));
  }

  // ---- conversations ------------------------------------------------------------------------

  /** The visitor's first message. Idempotent for a conversation already known. */
  enqueue(conv: QueuedInput): Decision {
    return this.enqueueAll([conv]);
  }

  /**
   * Several at once (a burst of first messages): one decision, the queue drained once, in (queuedAt, id) order.
   * One with a botId goes to that bot when it can hold it (an active bot of the site with room), else to the queue.
   */
  enqueueAll(convs: QueuedInput[]): Decision {
    return this.run(() => {
      for (const { botId, ...conv } of convs) {
        if (this.state.convs.has(conv.id)) continue;
        this.state.resolved.delete(conv.id);
        const bot = botId === undefined ? undefined : this.state.agents.get(botId);
        if (bot?.bot && bot.active && serves(bot, conv.siteId) && hasRoom(bot)) this.state.giveToBot(conv, bot);
        else this.state.place({ ...conv, assigneeId: null, assignedAt: null });
      }
    });
  }

  /**
   * Manual pick from the queue, or taking a conversation over from a bot (fromAgentId: the bot). Away agents may
   * claim (a human choice); the claim cancels their grace. Bots never claim.
   */
  claim(agentId: string, conversationId: string): RoutingResult {
    const taking = this.humanTaking(conversationId, agentId);
    if ('settled' in taking) return taking.settled;
    const { conv, agent } = taking;
    const from = conv.assigneeId;
    if (from !== null && !this.state.agents.get(from)?.bot) return fail('ALREADY_ASSIGNED');
    // A disconnected holder nobody watches would keep the chat forever.
    if (!agent.connected) return fail('AGENT_UNAVAILABLE');
    if (!hasRoom(agent)) return fail('AGENT_AT_CAPACITY');
    const decision = this.run(() => {
      if (from !== null) this.state.detach(conv);
      this.state.assign(conv, agent, false);
      agent.deadline = null;
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** The bot gives the conversation to people: back to the queue at its queuedAt, the visitor's place kept. */
  handoff(conversationId: string, botId: string): RoutingResult {
    const conv = this.state.convs.get(conversationId);
    if (conv && conv.assigneeId !== botId) return fail('CONFLICT');
    return this.unassign(conversationId);
  }

  /**
   * Someone else hands a queued conversation to a named agent who serves its site, is connected and has room. An
   * online agent with room would already hold it (the queue drains at once), so this is mostly how a chat reaches
   * an agent who is away but at their desk; an offline one is unavailable. Their grace period, if any, stands.
   */
  assign(conversationId: string, agentId: string): RoutingResult {
    const taking = this.humanTaking(conversationId, agentId);
    if ('settled' in taking) return taking.settled;
    const { conv, agent } = taking;
    if (conv.assigneeId !== null) return fail('ALREADY_ASSIGNED');
    if (!agent.connected || agent.status === 'offline') return fail('AGENT_UNAVAILABLE');
    if (!hasRoom(agent)) return fail('AGENT_AT_CAPACITY');
    return { ok: true, fromAgentId: null, decision: this.run(() => this.state.assign(conv, agent, false)) };
  }

  /**
   * What claim() and assign() check first: the conversation is still routed and the agent is active, human and
   * serves its site (a bot takes only the new conversations routed to it, never one picked or handed over). An
   * agent who already holds it is settled at once, with nothing to do.
   */
  private humanTaking(conversationId: string, agentId: string): { conv: RoutedConversation; agent: RoutedAgent } | { settled: RoutingResult } {
    const conv = this.state.convs.get(conversationId);
    if (!conv) return { settled: fail(this.state.resolved.has(conversationId) ? 'NOT_QUEUED' : 'NOT_FOUND') };
    const agent = this.state.agents.get(agentId);
    if (!agent) return { settled: fail('NOT_FOUND') };
    if (!agent.active || agent.bot || !serves(agent, conv.siteId)) return { settled: fail('FORBIDDEN') };
    if (conv.assigneeId === agentId) return { settled: { ok: true, fromAgentId: agentId, decision: emptyDecision() } };
    return { conv, agent };
  }

  /** Hands a conversation (active or queued) to an online, connected agent who serves its site. */
  transfer(conversationId: string, toAgentId: string): RoutingResult {
    const conv = this.state.convs.get(conversationId);
    if (!conv) return fail(this.state.resolved.has(conversationId) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND');
    const agent = this.state.agents.get(toAgentId);
    if (!agent) return fail('NOT_FOUND');
    if (!serves(agent, conv.siteId)) return fail('FORBIDDEN');
    if (conv.assigneeId === toAgentId) return { ok: true, fromAgentId: toAgentId, decision: emptyDecision() };
    if (!takesQueue(agent)) return fail('AGENT_UNAVAILABLE');
    if (!hasRoom(agent)) return fail('AGENT_AT_CAPACITY');
    const from = conv.assigneeId;
    const decision = this.run(() => {
      // A queued one stays in its queue until assign() takes it out, which records the wait.
      if (from !== null) this.state.detach(conv);
      this.state.assign(conv, agent, false);
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** Back to the queue with its original queuedAt, so it lands near the front. */
  unassign(conversationId: string): RoutingResult {
    const conv = this.state.convs.get(conversationId);
    if (!conv) return fail(this.state.resolved.has(conversationId) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND');
    const from = conv.assigneeId;
    if (from === null) return fail('CONFLICT');
    const decision = this.run(() => {
      this.state.detach(conv);
      this.state.enterQueue(conv);
      conv.avoidAgentId = from;
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** Leaves routing for good; the freed capacity pulls the next waiting conversation. */
  resolve(conversationId: string): RoutingResult {
    const conv = this.state.convs.get(conversationId);
    if (!conv) return fail(this.state.resolved.has(conversationId) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND');
    const from = conv.assigneeId;
    const decision = this.run(() => {
      this.state.detach(conv);
      this.state.convs.delete(conv.id);
      this.state.resolved.add(conv.id);
    });
    return { ok: true, fromAgentId: from, decision };
  }

  /** The database now says this (another writer won a race): replace what the engine believed. */
  sync(conv: ConversationInput): Decision {
    return this.run(() => {
      const old = this.state.convs.get(conv.id);
      if (old) {
        this.state.detach(old);
        this.state.convs.delete(conv.id);
      }
      this.state.resolved.delete(conv.id);
      this.state.place(conv);
    });
  }

  /** The database says it is gone or resolved elsewhere: drop it. */
  forget(conversationId: string): Decision {
    return this.run(() => {
      const conv = this.state.convs.get(conversationId);
      if (!conv) return;
      this.state.detach(conv);
      this.state.convs.delete(conversationId);
    });
  }

  // ---- grace deadlines ----------------------------------------------------------------------

  /** Earliest grace deadline, for the app's single timer. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const a of this.state.agents.values()) if (a.deadline !== null && (next === null || a.deadline < next)) next = a.deadline;
    return next;
  }

  /** Requeues the conversations of every agent whose grace deadline is <= now. */
  expireDue(): Decision {
    return this.run(() => {
      const now = this.clock.now();
      const due = [...this.state.agents.values()]
        .filter((a) => a.deadline !== null && a.deadline <= now)
        .sort((a, b) => a.deadline! - b.deadline! || cmpStr(a.id, b.id));
      // Returning (becoming eligible) clears the deadline, so every agent still carrying one is absent.
      for (const agent of due) {
        agent.deadline = null;
        this.state.requeueAll(agent);
      }
    });
  }

  // ---- queries ------------------------------------------------------------------------------

  /** Positions and estimates for everyone waiting on a site, position 1 first. */
  queueSnapshot(siteId: string): QueuePosition[] {
    const ids = this.state.queues.get(siteId)?.ids() ?? [];
    const agentsOnline = this.agentsOnline(siteId);
    const perSlot = agentsOnline ? (this.state.etas.get(siteId)?.perSlotMs() ?? null) : null;
    return ids.map((conversationId, i) => ({
      conversationId,
      position: i + 1,
      estimatedWaitMs: EtaWindow.estimate(perSlot, i + 1),
      agentsOnline,
    }));
  }

  /** Some eligible person (online, connected, active) serves the site, busy or not; bots do not count. */
  agentsOnline(siteId: string): boolean {
    for (const a of this.state.agents.values()) if (takesQueue(a) && serves(a, siteId)) return true;
    return false;
  }

  /** Sites with someone waiting. */
  queuedSites(): string[] {
    return [...this.state.queues].filter(([, q]) => q.size > 0).map(([s]) => s).sort(cmpStr);
  }

  /** Every site with someone waiting; the queue is kept sorted, so its head has waited longest. */
  waitingLines(): WaitingLine[] {
    return [...this.state.queues]
      .filter(([, q]) => q.size > 0)
      .map(([siteId, q]) => ({ siteId, length: q.size, oldestQueuedAt: q.head()!.queuedAt }));
  }

  agentLoad(agentId: string): number {
    return this.state.agents.get(agentId)?.convs.size ?? 0;
  }

  agentConversations(agentId: string): string[] {
    return [...(this.state.agents.get(agentId)?.convs ?? [])].sort(cmpStr);
  }

  agent(agentId: string): AgentState | undefined {
    const a = this.state.agents.get(agentId);
    return a && toAgentState(a);
  }

  agents(): AgentState[] {
    return [...this.state.agents.values()].map((a) => toAgentState(a)).sort((a, b) => cmpStr(a.id, b.id));
  }

  /** Ids of active agents who answer for a site. */
  agentsServing(siteId: string): string[] {
    return [...this.state.agents.values()].filter((a) => a.active && serves(a, siteId)).map((a) => a.id).sort(cmpStr);
  }

  conversation(id: string): ConversationState | undefined {
    const c = this.state.convs.get(id);
    if (!c) return undefined;
    const { siteId, queuedAt, assigneeId, assignedAt } = c;
    return { id, siteId, status: assigneeId === null ? 'queued' : 'active', queuedAt, assigneeId, assignedAt };
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Runs a mutation, then every possible auto-assignment, and reports what changed. */
  private run(mutate: () => void): Decision {
    const before = this.signatures();
    this.state.out = { assigned: [], requeued: [] };
    mutate();
    this.drain();
    const after = this.signatures();
    const changed = new Set<string>();
    for (const [site, sig] of before) if (after.get(site) !== sig) changed.add(site);
    for (const [site, sig] of after) if (before.get(site) !== sig) changed.add(site);
    const { assigned, requeued } = this.state.out;
    this.state.out = { assigned: [], requeued: [] };
    return { assigned, requeued, queueChanged: [...changed].sort(cmpStr) };
  }

  /** What a waiting visitor sees depends only on queue membership, the ETA basis and agentsOnline. */
  private signatures(): Map<string, string> {
    const sigs = new Map<string, string>();
    for (const [site, q] of this.state.queues) {
      if (q.size === 0) continue;
      sigs.set(site, `${q.version}|${this.agentsOnline(site)}|${this.state.etas.get(site)?.perSlotMs() ?? ''}`);
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
      let best: { conv: RoutedConversation; agent: RoutedAgent } | null = null;
      for (const q of this.state.queues.values()) {
        const head = q.head();
        if (!head || (best && compareQueued(best.conv, head) <= 0)) continue;
        const conv = this.state.convs.get(head.id)!;
        const agent = this.pickAgent(conv);
        if (agent) best = { conv, agent };
      }
      if (!best) return;
      this.state.assign(best.conv, best.agent, true);
    }
  }

  private pickAgent(conv: RoutedConversation): RoutedAgent | null {
    let best: RoutedAgent | null = null;
    let avoided: RoutedAgent | null = null;
    for (const a of this.state.agents.values()) {
      if (!takesQueue(a) || !serves(a, conv.siteId) || !hasRoom(a)) continue;
      if (a.id === conv.avoidAgentId) avoided = a;
      else if (!best || compareCandidates(a, best) < 0) best = a;
    }
    return best ?? avoided;
  }
}

type QueuedInput = { id: string; siteId: string; queuedAt: number; botId?: string };

const fail = (code: RoutingErrorCode): RoutingResult => ({ ok: false, code });
const emptyDecision = (): Decision => ({ assigned: [], requeued: [], queueChanged: [] });