/**
 * What the routing engine knows: agents, the conversations it routes, each site's queue and wait estimate, and
 * the primitive moves between them (assign, detach, queue, requeue, place). The engine (routing.ts) decides
 * which moves to make; this keeps the bookkeeping consistent and records what a decision changed. Pure.
 */
import type { Clock } from './clock.ts';
import { EtaWindow } from './eta.ts';
import { SiteQueue, compareQueued } from './queue.ts';
import { RecentIds } from './recent-ids.ts';
import { applyPresence, eligible, newAgent, setServing, type PresencePatch, type RoutedAgent } from './routing-agents.ts';
import type { AgentInput, Assignment, ConversationInput, Requeue } from './routing-types.ts';

/** A conversation the engine routes: queued (assigneeId null) or held. */
export interface RoutedConversation {
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

export class RoutingState {
  readonly agents = new Map<string, RoutedAgent>();
  readonly convs = new Map<string, RoutedConversation>();
  readonly queues = new Map<string, SiteQueue>();
  readonly etas = new Map<string, EtaWindow>();
  /** Resolved ids remembered to answer NOT_QUEUED rather than NOT_FOUND. */
  readonly resolved: RecentIds;
  /** What the decision being made has changed so far (the engine resets and collects it per decision). */
  out: { assigned: Assignment[]; requeued: Requeue[] } = { assigned: [], requeued: [] };

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly etaWindow: number,
    resolvedMemory: number,
  ) {
    this.resolved = new RecentIds(resolvedMemory);
  }

  clear(): void {
    this.agents.clear();
    this.convs.clear();
    this.queues.clear();
    this.etas.clear();
    this.resolved.clear();
  }

  assign(conv: RoutedConversation, agent: RoutedAgent, auto: boolean): void {
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

  /** A new conversation straight to a bot: no queue wait, so no wait-estimate sample. */
  giveToBot(conv: { id: string; siteId: string; queuedAt: number }, bot: RoutedAgent): void {
    this.place({ ...conv, assigneeId: bot.id, assignedAt: this.clock.now() });
    this.out.assigned.push({ conversationId: conv.id, agentId: bot.id, siteId: conv.siteId, waitedMs: 0 });
  }

  /** Takes a conversation off its agent or out of its queue. */
  detach(conv: RoutedConversation): void {
    if (conv.assigneeId === null) {
      this.queue(conv.siteId).remove(conv);
    } else {
      this.agents.get(conv.assigneeId)?.convs.delete(conv.id);
      conv.assigneeId = null;
      conv.assignedAt = null;
    }
  }

  enterQueue(conv: RoutedConversation, enteredAt = this.clock.now()): void {
    conv.enteredAt = enteredAt;
    conv.entryPosition = this.queue(conv.siteId).insert(conv);
  }

  requeueAll(agent: RoutedAgent): void {
    const held = [...agent.convs].map((id) => this.convs.get(id)!).sort(compareQueued);
    for (const conv of held) {
      this.detach(conv);
      this.enterQueue(conv);
      this.out.requeued.push({ conversationId: conv.id, fromAgentId: agent.id, siteId: conv.siteId });
    }
  }

  /** Puts a conversation from the database where it belongs; a holder that cannot hold it requeues it. */
  place(input: ConversationInput): void {
    const now = this.clock.now();
    const conv: RoutedConversation = {
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
    const holder = input.assigneeId === null ? undefined : this.agents.get(input.assigneeId);
    if (holder?.active) {
      conv.assigneeId = holder.id;
      conv.assignedAt = input.assignedAt;
      holder.convs.add(conv.id);
      const at = input.assignedAt;
      if (at !== null && (holder.lastAssignedAt === null || at > holder.lastAssignedAt)) holder.lastAssignedAt = at;
      // Held by someone absent with no timer running: start one so it cannot be stuck.
      if (!holder.bot && !eligible(holder) && holder.deadline === null) holder.deadline = now + this.graceMs;
      return;
    }
    // Waiting since it was queued (or, when requeued from a vanished holder, since now).
    this.enterQueue(conv, input.assigneeId === null ? Math.min(input.queuedAt, now) : now);
    if (input.assigneeId !== null) {
      this.out.requeued.push({ conversationId: conv.id, fromAgentId: input.assigneeId, siteId: conv.siteId });
    }
  }

  upsertAgent(input: AgentInput): void {
    let agent = this.agents.get(input.id);
    if (!agent) this.agents.set(input.id, (agent = newAgent(input.id)));
    setServing(agent, input);
    this.changeAgent(input.id, { status: input.status, active: input.active });
  }

  changeAgent(agentId: string, patch: PresencePatch): void {
    const agent = this.agents.get(agentId);
    if (agent && applyPresence(agent, patch, this.clock.now(), this.graceMs)) this.requeueAll(agent);
  }

  queue(siteId: string): SiteQueue {
    let q = this.queues.get(siteId);
    if (!q) this.queues.set(siteId, (q = new SiteQueue()));
    return q;
  }

  eta(siteId: string): EtaWindow {
    let e = this.etas.get(siteId);
    if (!e) this.etas.set(siteId, (e = new EtaWindow(this.etaWindow)));
    return e;
  }
}
