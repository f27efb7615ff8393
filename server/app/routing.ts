/**
 * Runs the pure routing engine against the database: every decision the engine makes is persisted with a
 * guarded update before anyone is told, one decision at a time. If the database disagrees (another writer
 * won, or a write failed), the engine is rebuilt from the database, which is the source of truth.
 */
import type { AgentDTO, AgentStatus, ConversationDTO, ConversationSummaryDTO, SystemEvent } from '../contract/dto.ts';
import type { Clock } from '../domain/clock.ts';
import { RoutingEngine, type Decision, type RoutingResult, type WaitingLine } from '../domain/routing.ts';
import type { HandoffReason } from '../bots/ports.ts';
import { NO_BOTS, type BotFirst } from './bot-first.ts';
import { servesSite } from './access.ts';
import { AppError, notFound } from './errors.ts';
import { agentActor, SYSTEM_ACTOR, type DomainEvents } from './events.ts';
import type { AgentRecord, AppendResult, Notifier, Store } from './ports.ts';
import type { Logger } from './logger.ts';
import { QueuePositions } from './queue-positions.ts';
import { routingError } from './routing-errors.ts';
import { activeAgent, assigneeOrAdmin, onAgentsSite } from './routing-guards.ts';
import type { Actor, Routing } from './routing-port.ts';
import { SerialQueue, TurnBatch } from './serial.ts';
import { mergeInOrder, settle, type StatusChange } from './routing-batches.ts';
import { RoutingAnnouncements } from './routing-announcements.ts';
import { RoutingRebuilds } from './routing-rebuilds.ts';
import { realTimers, type Timers } from './timers.ts';
import { loadState, reopenedInput, toAgentInput } from './routing-inputs.ts';

export class RoutingService implements Routing {
  private engine: RoutingEngine;
  private readonly serial = new SerialQueue();
  private readonly agents = new Map<string, AgentRecord>();
  /** Presence reads, one at a time, each applied after the one before; `presenceQueued`: one not yet started. */
  private readonly presenceReads = new SerialQueue();
  private presenceQueued: Promise<void> | undefined;
  private readonly positions: QueuePositions;
  private timer: unknown;
  private stopped = false;
  private readonly rebuilds: RoutingRebuilds;
  private readonly announcements: RoutingAnnouncements;
  private readonly arrivals = new TurnBatch(this.serial, (conversations: ConversationSummaryDTO[]) => this.route(conversations));
  /** Agents coming online together (a shift starting) cost one turn: one write of statuses, one of assignments. */
  private readonly statusChanges = new TurnBatch(this.serial, (changes: StatusChange[]) => this.changeStatuses(changes));

  constructor(
    private readonly store: Store,
    private readonly events: DomainEvents,
    /** Pushes what is no domain fact: queue positions, agents' live load and presence, access changes. */
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly log: Logger,
    /** Ids of agents with at least one open console connection, across the cluster. */
    private readonly connectedAgents: () => Promise<Set<string>>,
    private readonly timers: Timers = realTimers,
    /** Which new conversations go to a site's bot first. */
    private readonly botFirst: BotFirst = NO_BOTS,
  ) {
    this.engine = new RoutingEngine({ clock: this.clock, graceMs: this.graceMs });
    this.positions = new QueuePositions(notifier, timers, () => this.engine);
    this.rebuilds = new RoutingRebuilds(this.serial, timers, log, () => this.rebuild());
    this.announcements = new RoutingAnnouncements(store, events, notifier, log);
  }

  start(): Promise<void> {
    this.stopped = false;
    this.rebuilds.start();
    return this.serial.run(() => this.rebuild());
  }

  /** Stops deciding (shutdown, or another node became the routing leader); start() resumes from the database. */
  stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.rebuilds.stop();
    return this.serial.drain();
  }

  /** Followers in a cluster only need to know who the agents are (for handshakes), not to route. */
  async loadDirectory(agentId?: string): Promise<void> {
    const agents = agentId ? [await this.store.agents.findById(agentId)] : await this.store.agents.list();
    if (!agentId) this.agents.clear();
    for (const agent of agents) if (agent) this.agents.set(agent.id, agent);
  }

  agent(agentId: string): AgentRecord | undefined {
    return this.agents.get(agentId);
  }

  dto(agent: AgentRecord): AgentDTO {
    const { passwordHash: _hash, siteIds: _sites, ...rest } = agent;
    return { ...rest, connected: this.engine.agent(agent.id)?.connected ?? false, load: this.engine.agentLoad(agent.id) };
  }

  listAgents(): AgentDTO[] {
    return [...this.agents.values()].map((a) => this.dto(a));
  }

  agentRecords(): IterableIterator<AgentRecord> {
    return this.agents.values();
  }

  agentsOnline(siteId: string): boolean {
    return this.engine.agentsOnline(siteId);
  }

  /** Each site's waiting line on this node's engine (in a cluster, only the leader's routes), for metrics. */
  waitingLines(): WaitingLine[] {
    return this.engine.waitingLines();
  }

  sendPositions(visitorId: string): void {
    this.positions.sendTo(visitorId);
  }

  // --- conversations -----------------------------------------------------------------------------

  /** Conversations that arrive while routing is busy are routed together: one decision, one assignment write. */
  enqueue(conversation: ConversationSummaryDTO): Promise<ConversationDTO | null> {
    return this.arrivals.add(conversation);
  }

  claim(actor: Actor, conversationId: string): Promise<ConversationDTO> {
    return this.serial.run(async () => {
      const agent = activeAgent(this.agents, actor.agentId);
      onAgentsSite(agent, this.engine.conversation(conversationId));
      return this.commitAssignment(agent, agent, conversationId, this.engine.claim(agent.id, conversationId));
    });
  }

  /** A queued conversation handed to a named agent: by an admin, or by an agent to themselves (a claim by other rules). */
  assign(actor: Actor, conversationId: string, toAgentId: string): Promise<ConversationDTO> {
    return this.serial.run(async () => {
      const by = activeAgent(this.agents, actor.agentId);
      onAgentsSite(by, this.engine.conversation(conversationId));
      if (toAgentId !== by.id && by.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin can assign a conversation to someone else');
      const to = this.agents.get(toAgentId);
      if (!to) throw new AppError('NOT_FOUND', 'Agent not found');
      return this.commitAssignment(by, to, conversationId, this.engine.assign(conversationId, to.id));
    });
  }

  transfer(actor: Actor, conversationId: string, toAgentId: string): Promise<AppendResult> {
    return this.serial.run(async () => {
      const from = assigneeOrAdmin(activeAgent(this.agents, actor.agentId), this.engine.conversation(conversationId));
      const to = this.agents.get(toAgentId);
      if (!to) throw new AppError('NOT_FOUND', 'Agent not found');
      const result = this.engine.transfer(conversationId, toAgentId);
      if (!result.ok) throw routingError(result.code);
      const event: SystemEvent = { type: 'transferred', fromAgentId: from, agentId: to.id, agentName: to.name };
      const persisted = await this.rebuilds.persist(() => this.store.conversations.transfer(conversationId, from, to.id, event));
      if (!persisted) throw this.rebuilds.lostRace('CONFLICT', 'The conversation changed meanwhile; try again');
      this.announcements.decided(persisted, 'conversation.transferred', { actor: agentActor(actor.agentId), fromAgentId: from, toAgentId: to.id });
      await this.apply(result.decision);
      this.agentChanged(from, to.id);
      return persisted;
    });
  }

  /** With `handoff`: the bot holding it gives it to people (its system line says so); queuedAt, the visitor's place, is kept. */
  unassign(actor: Actor, conversationId: string, handoff?: HandoffReason): Promise<AppendResult> {
    return this.serial.run(async () => {
      const from = assigneeOrAdmin(activeAgent(this.agents, actor.agentId), this.engine.conversation(conversationId));
      const result = handoff ? this.engine.handoff(conversationId, actor.agentId) : this.engine.unassign(conversationId);
      if (!result.ok) throw routingError(result.code);
      const event: SystemEvent = handoff ? { type: 'handed_off', fromAgentId: from, reason: handoff } : { type: 'unassigned', fromAgentId: from };
      const persisted = await this.rebuilds.persist(() => this.store.conversations.requeue(conversationId, from, event));
      if (!persisted) throw this.rebuilds.lostRace('CONFLICT', 'The conversation changed meanwhile; try again');
      this.announcements.decided(persisted, 'conversation.unassigned', { actor: agentActor(actor.agentId), fromAgentId: from });
      await this.apply(result.decision);
      this.agentChanged(from);
      return persisted;
    });
  }

  resolve(actor: Actor, conversationId: string): Promise<AppendResult> {
    return this.serial.run(async () => {
      const agent = activeAgent(this.agents, actor.agentId);
      const current = onAgentsSite(agent, this.engine.conversation(conversationId));
      if (!current) throw new AppError('CONVERSATION_RESOLVED', 'The conversation is already resolved');
      if (current.assigneeId !== null && current.assigneeId !== agent.id && agent.role !== 'admin') {
        throw new AppError('FORBIDDEN', 'Only the assigned agent or an admin can resolve this conversation');
      }
      const result = this.engine.resolve(conversationId);
      if (!result.ok) throw routingError(result.code);
      const event: SystemEvent = { type: 'resolved', byAgentId: agent.id };
      const persisted = await this.rebuilds.persist(() => this.store.conversations.resolve(conversationId, this.now(), event));
      if (!persisted) throw this.rebuilds.lostRace('CONVERSATION_RESOLVED', 'The conversation is already resolved');
      this.positions.forget(conversationId);
      this.announcements.decided(persisted, 'conversation.resolved', { actor: agentActor(agent.id) });
      await this.apply(result.decision);
      if (current.assigneeId) this.agentChanged(current.assigneeId);
      return persisted;
    });
  }

  /** A resolved conversation comes back to the agent who reopens it, within their capacity. */
  reopen(actor: Actor, conversation: ConversationDTO): Promise<AppendResult> {
    return this.serial.run(async () => {
      const agent = activeAgent(this.agents, actor.agentId);
      if (!servesSite(agent, conversation.siteId)) throw new AppError('NOT_FOUND', 'Conversation not found');
      if (this.engine.conversation(conversation.id)) throw new AppError('CONFLICT', 'The conversation is still open');
      if (this.engine.agentLoad(agent.id) >= agent.capacity) throw routingError('AGENT_AT_CAPACITY');
      const event: SystemEvent = { type: 'reopened', byAgentId: agent.id, agentName: agent.name };
      const persisted = await this.rebuilds.persist(() => this.store.conversations.reopen(conversation.id, agent.id, this.now(), event));
      if (!persisted) throw this.rebuilds.lostRace('CONFLICT', 'The conversation changed meanwhile; try again');
      this.positions.track(conversation.id, conversation.visitorId);
      const decision = this.engine.sync(reopenedInput(persisted.conversation, agent.id, this.clock.now()));
      this.announcements.decided(persisted, 'conversation.reopened', { actor: agentActor(agent.id), agentId: agent.id });
      await this.apply(decision);
      this.agentChanged(agent.id);
      return persisted;
    });
  }

  // --- agents ------------------------------------------------------------------------------------

  /**
   * Agent connections opened or closed somewhere. Which agents are connected is read from the sockets
   * themselves (on every node of a cluster), so a node that died without saying goodbye counts too. The read waits
   * for every node, outside routing's turns: on three busy nodes it took up to 390 ms, and arrivals waited for it.
   */
  presenceChanged(): Promise<void> {
    this.presenceQueued ??= this.presenceReads.run(async () => {
      this.presenceQueued = undefined; // a change from now on may be missing from this read: it folds into the next
      const online = await this.connectedAgents();
      await this.serial.run(() => this.reconcilePresence(online));
    });
    return this.presenceQueued;
  }

  setStatus(agentId: string, status: AgentStatus): Promise<AgentDTO> {
    return this.statusChanges.add({ agentId, status });
  }

  /** Those its turn left waiting reach the site's agents now; those it assigned, their holder and the whole site (onArrival). */
  private async route(arrived: ConversationSummaryDTO[]): Promise<PromiseSettledResult<ConversationDTO | null>[]> {
    for (const c of arrived) this.positions.track(c.id, c.visitorId);
    const bots = await this.botFirst.choose([...new Set(arrived.map((c) => c.siteId))], (siteId) => this.engine.agentsOnline(siteId));
    for (const bot of bots.values()) {
      // A bot made elsewhere (the CLI) may be met here first; a bot holding nothing changes no decision.
      if (!this.agents.has(bot.id)) this.engine.upsertAgent(toAgentInput(bot));
      this.agents.set(bot.id, bot);
    }
    const decision = this.engine.enqueueAll(arrived.map((c) => ({ id: c.id, siteId: c.siteId, queuedAt: Date.parse(c.queuedAt), botId: bots.get(c.siteId)?.id })));
    const assigned = await this.apply(decision, new Set(arrived.map((c) => c.id)));
    const waiting = arrived.filter((c) => !assigned.has(c.id) && this.engine.conversation(c.id)?.status === 'queued');
    this.announcements.waiting(waiting);
    return arrived.map((c) => ({ status: 'fulfilled', value: assigned.get(c.id) ?? null }));
  }

  private async changeStatuses(changes: StatusChange[]): Promise<PromiseSettledResult<AgentDTO>[]> {
    const checked = changes.map(({ agentId }) => settle(() => activeAgent(this.agents, agentId)));
    const valid = changes.filter((_, i) => checked[i]!.status === 'fulfilled');
    await this.rebuilds.persist(() => Promise.all(valid.map(({ agentId, status }) => this.store.agents.setStatus(agentId, status))));
    const decisions = valid.map(({ agentId, status }) => {
      this.agents.set(agentId, { ...this.agents.get(agentId)!, status });
      return this.engine.setStatus(agentId, status);
    });
    for (const decision of mergeInOrder(decisions)) await this.apply(decision);
    return checked.map((outcome, i) => {
      if (outcome.status === 'rejected') return outcome;
      const agent = this.agents.get(changes[i]!.agentId)!;
      const dto = this.dto(agent);
      this.events.emit('agent.status', { agent: dto, siteIds: agent.siteIds, actor: agentActor(agent.id) });
      return { status: 'fulfilled', value: dto };
    });
  }

  /**
   * Re-reads an agent created or changed elsewhere (CLI, admin screens) and routes by the new facts. Every change of
   * a bot comes this way too (bots.ts): the bots are read again.
   */
  refreshAgent(agentId: string): Promise<AgentRecord | undefined> {
    return this.serial.run(async () => {
      this.botFirst.forget();
      const agent = await this.store.agents.findById(agentId);
      if (!agent) return undefined;
      const before = this.agents.get(agent.id);
      this.agents.set(agent.id, agent);
      // Open consoles hold rooms of the old access: close them, so they reconnect under the new (or not at all).
      const accessChanged = before && (!agent.active || before.role !== agent.role || String(before.siteIds) !== String(agent.siteIds));
      if (accessChanged) this.notifier.agentAccessChanged(agent.id);
      await this.apply(this.engine.upsertAgent(toAgentInput(agent)));
      this.agentChanged(agent.id);
      return agent;
    });
  }

  /** Persists and announces an assignment the engine accepted; one the agent already held is answered as stored. */
  private async commitAssignment(by: AgentRecord, to: AgentRecord, conversationId: string, result: RoutingResult): Promise<ConversationDTO> {
    if (!result.ok) throw routingError(result.code);
    const from = result.fromAgentId; // a bot's: taken over, a transfer guarded on the bot still holding it
    if (from === to.id) return this.stored(conversationId); // already theirs: nothing to write or rebuild
    const persisted = await this.rebuilds.persist(() =>
      from === null
        ? this.store.conversations.assign(conversationId, to.id, this.now(), { type: 'assigned', agentId: to.id, agentName: to.name })
        : this.store.conversations.transfer(conversationId, from, to.id, { type: 'transferred', fromAgentId: from, agentId: to.id, agentName: to.name }),
    );
    if (!persisted) throw this.rebuilds.lostRace('ALREADY_ASSIGNED', 'Another agent took this conversation first');
    if (from === null) this.announcements.decided(persisted, 'conversation.assigned', { actor: agentActor(by.id), agentId: to.id, onArrival: false });
    else this.announcements.decided(persisted, 'conversation.transferred', { actor: agentActor(by.id), fromAgentId: from, toAgentId: to.id });
    await this.apply(result.decision);
    this.agentChanged(to.id, ...(from === null ? [] : [from]));
    return persisted.conversation;
  }

  private now(): Date {
    return new Date(this.clock.now());
  }

  /** Rebuilds everything in memory from the database (at start, and whenever the two disagree). */
  private async rebuild(): Promise<void> {
    this.botFirst.forget();
    const [agents, open] = await Promise.all([this.store.agents.list(), this.store.conversations.listOpen()]);
    this.agents.clear();
    for (const agent of agents) this.agents.set(agent.id, agent);
    this.positions.reset(open);
    this.engine = new RoutingEngine({ clock: this.clock, graceMs: this.graceMs });
    await this.apply(this.engine.load(loadState(agents, open)));
    await this.reconcilePresence(await this.connectedAgents());
    await this.announcements.waitingAgain(open.filter((c) => this.engine.conversation(c.id)?.status === 'queued').map((c) => c.id));
  }

  /** Connects and disconnects agents in the engine by `online`, the agents with a console open now. */
  private async reconcilePresence(online: Set<string>): Promise<void> {
    for (const agent of this.engine.agents()) {
      if (agent.connected && !online.has(agent.id)) {
        await this.apply(this.engine.disconnect(agent.id));
        this.agentChanged(agent.id);
      }
    }
    for (const agentId of online) {
      if (this.engine.agent(agentId)?.connected) continue;
      await this.apply(this.engine.connect(agentId));
      this.agentChanged(agentId);
    }
  }

  /**
   * Persists what the engine decided, then tells the clients. Requeues come first: they free conversations.
   * Answers the conversations it assigned, as stored. `arrived`: the conversations of this turn's arrivals.
   */
  private async apply(decision: Decision, arrived?: Set<string>): Promise<Map<string, ConversationDTO>> {
    const assigned = new Map<string, ConversationDTO>();
    const touchedAgents = new Set<string>();
    for (const requeue of decision.requeued) {
      const event: SystemEvent = { type: 'requeued', fromAgentId: requeue.fromAgentId, reason: 'agent_left' };
      const persisted = await this.rebuilds.persist(() => this.store.conversations.requeue(requeue.conversationId, requeue.fromAgentId, event));
      touchedAgents.add(requeue.fromAgentId);
      if (persisted) this.announcements.decided(persisted, 'conversation.unassigned', { actor: SYSTEM_ACTOR, fromAgentId: requeue.fromAgentId });
      else this.log.warn({ conversationId: requeue.conversationId }, 'requeue lost to another writer');
    }
    // All of a decision's assignments in one transaction: a burst or an agent coming back assigns many at once.
    const assignments = decision.assigned.map(({ conversationId, agentId }) => ({
      id: conversationId,
      agentId,
      event: { type: 'assigned', agentId, agentName: this.agents.get(agentId)?.name ?? '' } satisfies SystemEvent,
    }));
    const persisted = assignments.length === 0 ? [] : await this.rebuilds.persist(() => this.store.conversations.assignMany(assignments, this.now()));
    for (const [i, assignment] of assignments.entries()) {
      touchedAgents.add(assignment.agentId);
      const result = persisted[i];
      if (result) {
        assigned.set(assignment.id, result.conversation);
        this.positions.assigned(assignment.id);
        this.announcements.decided(result, 'conversation.assigned', { actor: SYSTEM_ACTOR, agentId: assignment.agentId, onArrival: arrived?.has(assignment.id) ?? false });
      } else {
        this.log.warn({ conversationId: assignment.id }, 'assignment lost to another writer; rebuilding');
        this.rebuilds.schedule();
      }
    }
    for (const siteId of decision.queueChanged) this.positions.siteChanged(siteId);
    this.agentChanged(...touchedAgents);
    this.armTimer();
    return assigned;
  }

  private armTimer(): void {
    this.timers.clearTimeout(this.timer);
    const deadline = this.engine.nextDeadline();
    if (deadline === null || this.stopped) return;
    this.timer = this.timers.setTimeout(() => {
      this.serial.run(() => this.apply(this.engine.expireDue())).catch((err) => this.log.error({ err }, 'grace expiry failed'));
    }, Math.max(0, deadline - this.clock.now()));
  }

  private async stored(conversationId: string): Promise<ConversationDTO> {
    return (await this.store.conversations.findById(conversationId)) ?? Promise.reject(notFound('Conversation'));
  }

  private agentChanged(...agentIds: string[]): void {
    for (const id of new Set(agentIds)) {
      const agent = this.agents.get(id);
      if (agent) this.notifier.agentChanged(this.dto(agent), agent.siteIds);
    }
  }
}
