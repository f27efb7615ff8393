/**
 * Runs the pure routing engine against the database: every decision the engine makes is persisted with a
 * guarded update before anyone is told, one decision at a time. If the database disagrees (another writer
 * won, or a write failed), the engine is rebuilt from the database, which is the source of truth.
 */
import type { AgentDTO, AgentStatus, ConversationDTO, SystemEvent } from '../contract/dto.ts';
import type { Clock } from '../domain/clock.ts';
import { RoutingEngine, type AgentInput, type Decision, type WaitingLine } from '../domain/routing.ts';
import { servesSite } from './access.ts';
import type { ErrorCode } from '../contract/errors.ts';
import { AppError, notFound } from './errors.ts';
import { agentActor, SYSTEM_ACTOR, type ConversationEventName, type DomainEvents, type EventMap } from './events.ts';
import type { AgentRecord, AppendResult, Notifier, Store } from './ports.ts';
import type { Logger } from './logger.ts';
import { QueuePositions } from './queue-positions.ts';
import { routingError } from './routing-errors.ts';
import { activeAgent, assigneeOrAdmin, onAgentsSite } from './routing-guards.ts';
import type { Actor, Routing } from './routing-port.ts';
import { SerialQueue, TurnBatch } from './serial.ts';
import { mergeInOrder, settle, type StatusChange } from './routing-batches.ts';
import { realTimers, type Timers } from './timers.ts';

export class RoutingService implements Routing {
  private engine: RoutingEngine;
  private readonly serial = new SerialQueue();
  private readonly agents = new Map<string, AgentRecord>();
  /** A presence check is queued and not yet run: more changes fold into it. */
  private presencePending = false;
  private readonly positions: QueuePositions;
  private timer: unknown;
  private rebuildTimer: unknown;
  private stopped = false;
  private readonly arrivals = new TurnBatch(this.serial, (conversations: ConversationDTO[]) => this.route(conversations));
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
  ) {
    this.engine = this.newEngine();
    this.positions = new QueuePositions(notifier, timers, () => this.engine);
  }

  start(): Promise<void> {
    this.stopped = false;
    return this.serial.run(() => this.rebuild());
  }

  /** Stops deciding (shutdown, or another node became the routing leader); start() resumes from the database. */
  stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.rebuildTimer);
    this.rebuildTimer = undefined;
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
  enqueue(conversation: ConversationDTO): Promise<void> {
    return this.arrivals.add(conversation);
  }

  claim(actor: Actor, conversationId: string): Promise<ConversationDTO> {
    return this.serial.run(async () => {
      const agent = activeAgent(this.agents, actor.agentId);
      onAgentsSite(agent, this.engine.conversation(conversationId));
      const result = this.engine.claim(agent.id, conversationId);
      if (!result.ok) throw routingError(result.code);
      // Already theirs: nothing to write, and nothing stale to rebuild.
      if (result.fromAgentId === agent.id) return this.stored(conversationId);
      const event: SystemEvent = { type: 'assigned', agentId: agent.id, agentName: agent.name };
      const persisted = await this.persist(() => this.store.conversations.assign(conversationId, agent.id, this.now(), event));
      if (!persisted) throw this.lostRace('ALREADY_ASSIGNED', 'Another agent took this conversation first');
      this.announce(persisted, 'conversation.assigned', { actor: agentActor(agent.id), agentId: agent.id });
      await this.apply(result.decision);
      this.agentChanged(agent.id);
      return persisted.conversation;
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
      const persisted = await this.persist(() => this.store.conversations.transfer(conversationId, from, to.id, event));
      if (!persisted) throw this.lostRace('CONFLICT', 'The conversation changed meanwhile; try again');
      this.announce(persisted, 'conversation.transferred', { actor: agentActor(actor.agentId), fromAgentId: from, toAgentId: to.id });
      await this.apply(result.decision);
      this.agentChanged(from, to.id);
      return persisted;
    });
  }

  unassign(actor: Actor, conversationId: string): Promise<AppendResult> {
    return this.serial.run(async () => {
      const from = assigneeOrAdmin(activeAgent(this.agents, actor.agentId), this.engine.conversation(conversationId));
      const result = this.engine.unassign(conversationId);
      if (!result.ok) throw routingError(result.code);
      const event: SystemEvent = { type: 'unassigned', fromAgentId: from };
      const persisted = await this.persist(() => this.store.conversations.requeue(conversationId, from, event));
      if (!persisted) throw this.lostRace('CONFLICT', 'The conversation changed meanwhile; try again');
      this.announce(persisted, 'conversation.unassigned', { actor: agentActor(actor.agentId), fromAgentId: from });
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
      const persisted = await this.persist(() => this.store.conversations.resolve(conversationId, this.now(), event));
      if (!persisted) throw this.lostRace('CONVERSATION_RESOLVED', 'The conversation is already resolved');
      this.positions.forget(conversationId);
      this.announce(persisted, 'conversation.resolved', { actor: agentActor(agent.id) });
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
      const persisted = await this.persist(() => this.store.conversations.reopen(conversation.id, agent.id, this.now(), event));
      if (!persisted) throw this.lostRace('CONFLICT', 'The conversation changed meanwhile; try again');
      this.positions.track(conversation.id, conversation.visitorId);
      const { queuedAt, assignedAt } = persisted.conversation;
      const decision = this.engine.sync({
        id: conversation.id,
        siteId: conversation.siteId,
        queuedAt: Date.parse(queuedAt),
        assigneeId: agent.id,
        assignedAt: assignedAt ? Date.parse(assignedAt) : this.clock.now(),
      });
      this.announce(persisted, 'conversation.reopened', { actor: agentActor(agent.id), agentId: agent.id });
      await this.apply(decision);
      this.agentChanged(agent.id);
      return persisted;
    });
  }

  // --- agents ------------------------------------------------------------------------------------

  /**
   * Agent connections opened or closed somewhere. Which agents are connected is read from the sockets
   * themselves (on every node of a cluster), so a node that died without saying goodbye counts too.
   */
  presenceChanged(): Promise<void> {
    if (this.presencePending) return Promise.resolve();
    this.presencePending = true;
    return this.serial.run(async () => {
      this.presencePending = false;
      await this.reconcilePresence();
    });
  }

  setStatus(agentId: string, status: AgentStatus): Promise<AgentDTO> {
    return this.statusChanges.add({ agentId, status });
  }

  private async route(arrived: ConversationDTO[]): Promise<PromiseSettledResult<void>[]> {
    for (const c of arrived) this.positions.track(c.id, c.visitorId);
    await this.apply(this.engine.enqueueAll(arrived.map((c) => ({ id: c.id, siteId: c.siteId, queuedAt: Date.parse(c.queuedAt) }))));
    return arrived.map(() => ({ status: 'fulfilled', value: undefined }));
  }

  private async changeStatuses(changes: StatusChange[]): Promise<PromiseSettledResult<AgentDTO>[]> {
    const checked = changes.map(({ agentId }) => settle(() => activeAgent(this.agents, agentId)));
    const valid = changes.filter((_, i) => checked[i]!.status === 'fulfilled');
    await this.persist(() => Promise.all(valid.map(({ agentId, status }) => this.store.agents.setStatus(agentId, status))));
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

  /** Re-reads an agent created or changed elsewhere (CLI, admin screens) and routes by the new facts. */
  refreshAgent(agentId: string): Promise<AgentRecord | undefined> {
    return this.serial.run(async () => {
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

  private now(): Date {
    return new Date(this.clock.now());
  }

  private newEngine(): RoutingEngine {
    return new RoutingEngine({ clock: this.clock, graceMs: this.graceMs });
  }

  /** Rebuilds everything in memory from the database (at start, and whenever the two disagree). */
  private async rebuild(): Promise<void> {
    const [agents, open] = await Promise.all([this.store.agents.list(), this.store.conversations.listOpen()]);
    this.agents.clear();
    for (const agent of agents) this.agents.set(agent.id, agent);
    this.positions.reset(open);
    this.engine = this.newEngine();
    const decision = this.engine.load({
      agents: agents.map(toAgentInput),
      conversations: open.map((c) => ({ id: c.id, siteId: c.siteId, queuedAt: c.queuedAt.getTime(), assigneeId: c.assigneeId, assignedAt: c.assignedAt?.getTime() ?? null })),
    });
    await this.apply(decision);
    await this.reconcilePresence();
  }

  private async reconcilePresence(): Promise<void> {
    const online = await this.connectedAgents();
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

  /** Persists what the engine decided, then tells the clients. Requeues come first: they free conversations. */
  private async apply(decision: Decision): Promise<void> {
    const touchedAgents = new Set<string>();
    for (const requeue of decision.requeued) {
      const event: SystemEvent = { type: 'requeued', fromAgentId: requeue.fromAgentId, reason: 'agent_left' };
      const persisted = await this.persist(() => this.store.conversations.requeue(requeue.conversationId, requeue.fromAgentId, event));
      touchedAgents.add(requeue.fromAgentId);
      if (persisted) this.announce(persisted, 'conversation.unassigned', { actor: SYSTEM_ACTOR, fromAgentId: requeue.fromAgentId });
      else this.log.warn({ conversationId: requeue.conversationId }, 'requeue lost to another writer');
    }
    // All of a decision's assignments in one transaction: a burst or an agent coming back assigns many at once.
    const assignments = decision.assigned.map(({ conversationId, agentId }) => ({
      id: conversationId,
      agentId,
      event: { type: 'assigned', agentId, agentName: this.agents.get(agentId)?.name ?? '' } satisfies SystemEvent,
    }));
    const persisted = assignments.length === 0 ? [] : await this.persist(() => this.store.conversations.assignMany(assignments, this.now()));
    for (const [i, assignment] of assignments.entries()) {
      touchedAgents.add(assignment.agentId);
      const result = persisted[i];
      if (result) {
        this.positions.assigned(assignment.id);
        this.announce(result, 'conversation.assigned', { actor: SYSTEM_ACTOR, agentId: assignment.agentId });
      } else {
        this.log.warn({ conversationId: assignment.id }, 'assignment lost to another writer; rebuilding');
        this.scheduleRebuild();
      }
    }
    for (const siteId of decision.queueChanged) this.positions.siteChanged(siteId);
    this.agentChanged(...touchedAgents);
    this.armTimer();
  }

  /** A database write failed: the engine may now be ahead of the database, so rebuild before going on. */
  private async persist<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      this.log.error({ err: error }, 'routing write failed; rebuilding from the database');
      this.scheduleRebuild();
      throw new AppError('UNAVAILABLE', 'The database is unavailable; try again');
    }
  }

  /** Another writer changed the conversation first: the engine is stale, so rebuild it from the database. */
  private lostRace(code: ErrorCode, message: string): AppError {
    this.scheduleRebuild();
    return new AppError(code, message);
  }

  /** However many disagreements turn up meanwhile, one rebuild answers them all. */
  private scheduleRebuild(): void {
    if (this.stopped || this.rebuildTimer !== undefined) return;
    this.rebuildTimer = this.timers.setTimeout(() => {
      this.rebuildTimer = undefined;
      this.serial.run(() => this.rebuild()).catch((err) => {
        this.log.error({ err }, 'rebuild failed; retrying');
        this.scheduleRebuild();
      });
    }, 1000);
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
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation) throw notFound('Conversation');
    return conversation;
  }

  /**
   * A decision committed: its system line is a new message, then the conversation's own event follows, with the
   * conversation as agents' lists show it.
   */
  private announce<E extends ConversationEventName>(result: AppendResult, event: E, details: Omit<EventMap[E], 'conversation'>): void {
    this.events.emit('message.created', { message: result.message, conversation: result.conversation, actor: details.actor });
    void this.store.conversations
      .summary(result.conversation.id)
      .then((summary) => summary && this.events.emit(event, { ...details, conversation: summary } as EventMap[E]))
      .catch((err) => this.log.error({ err, event, conversationId: result.conversation.id }, 'conversation summary failed; event not emitted'));
  }

  private agentChanged(...agentIds: string[]): void {
    for (const id of new Set(agentIds)) {
      const agent = this.agents.get(id);
      if (agent) this.notifier.agentChanged(this.dto(agent), agent.siteIds);
    }
  }
}

function toAgentInput(agent: AgentRecord): AgentInput {
  return { id: agent.id, siteIds: agent.siteIds, capacity: agent.capacity, status: agent.status, active: agent.active };
}
