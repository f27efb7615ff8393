/**
 * Routing across several nodes. The leader (see leadership.ts) runs the one RoutingService that decides;
 * every other node forwards routing commands to it (leader-requests.ts, over Redis) and keeps a live copy
 * of agents' state, which the leader broadcasts over the Socket.IO adapter, for reads that must stay synchronous.
 */
import type { HandoffReason } from '../bots/ports.ts';
import type { Server } from 'socket.io';
import type { AgentDTO, AgentStatus, ConversationDTO, ConversationSummaryDTO } from '../contract/dto.ts';
import type { ApiError } from '../contract/errors.ts';
import { AppError } from '../app/errors.ts';
import type { AgentRecord, AppendResult } from '../app/ports.ts';
import type { RoutingService } from '../app/routing.ts';
import type { Actor, Routing } from '../app/routing-port.ts';
import type { Logger } from '../app/logger.ts';
import { servesSite } from '../app/access.ts';
import { eligible } from '../domain/routing-agents.ts';
import { toApiError } from '../realtime/command.ts';
import { serverEvents } from '../realtime/notifier.ts';
import { Coalescer } from '../app/coalescer.ts';
import type { LeaderRequests } from './leader-requests.ts';

const { agentState: AGENT_STATE, agentChanged: AGENT_CHANGED } = serverEvents;
/** How long a command may wait for a leader (e.g. during a failover) before answering UNAVAILABLE. */
const LEADER_WAIT_MS = 15_000;
/** The leader re-reads presence this often, to notice agents of a node that died without a word. */
const PRESENCE_SWEEP_MS = 3_000;

/** What a follower asks of the leader: routing's commands, and the live agent state. Typed end to end from Routing. */
type RoutingRpc = Pick<Routing, 'claim' | 'assign' | 'transfer' | 'unassign' | 'resolve' | 'reopen' | 'presenceChanged' | 'setStatus' | 'refreshAgent' | 'sendPositions'> & {
  snapshot(): AgentDTO[];
  /** A follower's new conversations of one round of I/O: one request for a burst, not one each. */
  enqueueMany(conversations: ConversationSummaryDTO[]): Promise<(ConversationDTO | null)[]>;
};
type RpcName = keyof RoutingRpc;
type RpcArgs = { [C in RpcName]: Parameters<RoutingRpc[C]> };
type RpcData = { [C in RpcName]: Awaited<ReturnType<RoutingRpc[C]>> };
/** The leader's own runners, one per command. */
type RpcHandlers = { [C in RpcName]: (...args: RpcArgs[C]) => RpcData[C] | Promise<RpcData[C]> };
type Reply<C extends RpcName> = { ok: true; data: RpcData[C] } | { ok: false; error: ApiError } | { notLeader: true };
/** One request to the leader: a command and its arguments. */
export type RoutingRequest = { [C in RpcName]: { command: C; args: RpcArgs[C] } }[RpcName];
export type RoutingReply = Reply<RpcName>;

function leaderHandlers(local: RoutingService): RpcHandlers {
  return {
    enqueueMany: (conversations) => Promise.all(conversations.map((c) => local.enqueue(c))),
    claim: (actor, conversationId) => local.claim(actor, conversationId),
    assign: (actor, conversationId, toAgentId) => local.assign(actor, conversationId, toAgentId),
    transfer: (actor, conversationId, toAgentId) => local.transfer(actor, conversationId, toAgentId),
    unassign: (actor, conversationId, handoff) => local.unassign(actor, conversationId, handoff),
    resolve: (actor, conversationId) => local.resolve(actor, conversationId),
    reopen: (actor, conversation) => local.reopen(actor, conversation),
    presenceChanged: () => local.presenceChanged(),
    setStatus: (agentId, status) => local.setStatus(agentId, status),
    refreshAgent: (agentId) => local.refreshAgent(agentId),
    sendPositions: (visitorId) => local.sendPositions(visitorId),
    snapshot: () => local.listAgents(),
  };
}

export class ClusterRouting implements Routing {
  private leader = false;
  /** Live agent state as the leader last broadcast it (followers only). */
  private readonly live = new Map<string, AgentDTO>();
  private sweep: NodeJS.Timeout | undefined;
  private readonly handlers: RpcHandlers;
  private readonly arrivals = new Coalescer<ConversationSummaryDTO, ConversationDTO | null>(
    async (conversations) => (await this.call('enqueueMany', conversations)).map((value) => ({ status: 'fulfilled', value })),
    200,
    // A request waits for every node's answer: the next round's arrivals do not wait for it too.
    true,
  );

  constructor(
    private readonly local: RoutingService,
    private readonly io: Server,
    private readonly requests: LeaderRequests<RoutingRequest, RoutingReply>,
    private readonly log: Logger,
  ) {
    this.handlers = leaderHandlers(local);
    io.on(AGENT_STATE, (agents: AgentDTO[]) => {
      for (const agent of agents) this.live.set(agent.id, agent);
    });
    io.on(AGENT_CHANGED, (agentId: string) => void this.local.loadDirectory(agentId));
  }

  /** Called by the leadership: the leader rebuilds routing from the database; a follower only loads agents. */
  async leadershipChanged(leader: boolean): Promise<void> {
    this.leader = leader;
    clearInterval(this.sweep);
    // At once, with the flag: a node that no longer leads must not answer a request the new leader also runs.
    const serving = this.requests.serve(leader ? ({ command, args }) => this.serve(command, args) : undefined);
    await serving.catch((err) => this.log.warn({ err }, 'could not change routing request subscription'));
    if (leader) {
      await this.local.start();
      this.sweep = setInterval(() => void this.local.presenceChanged().catch((err) => this.log.warn({ err }, 'presence sweep failed')), PRESENCE_SWEEP_MS).unref();
      this.io.serverSideEmit(AGENT_STATE, this.local.listAgents());
    } else {
      await this.local.stop();
      await this.local.loadDirectory();
      await this.refreshSnapshot();
    }
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.requests.close();
    await this.local.stop();
  }

  // --- reads: local directory plus the leader's live state ------------------------------------------

  agent(agentId: string): AgentRecord | undefined {
    return this.local.agent(agentId);
  }

  dto(agent: AgentRecord): AgentDTO {
    if (this.leader) return this.local.dto(agent);
    const live = this.live.get(agent.id);
    const base = this.local.dto(agent);
    return live ? { ...base, connected: live.connected, load: live.load, status: live.status } : base;
  }

  listAgents(): AgentDTO[] {
    if (this.leader) return this.local.listAgents();
    return Array.from(this.local.agentRecords(), (agent) => this.dto(agent));
  }

  /**
   * Asked for each session and each visitor line of a waiting conversation: a follower reads the records and the
   * leader's live state in place, with no copy of every agent made to answer yes or no.
   */
  agentsOnline(siteId: string): boolean {
    if (this.leader) return this.local.agentsOnline(siteId);
    for (const agent of this.local.agentRecords()) {
      const live = this.live.get(agent.id);
      if (live && eligible({ active: agent.active, connected: live.connected, status: live.status }) && servesSite(agent, siteId)) return true;
    }
    return false;
  }

  sendPositions(visitorId: string): void {
    void this.call('sendPositions', visitorId).catch((err) => this.log.warn({ err }, 'queue position request failed'));
  }

  // --- commands: run by the leader -------------------------------------------------------------------

  enqueue(conversation: ConversationSummaryDTO): Promise<ConversationDTO | null> {
    return this.leader ? this.local.enqueue(conversation) : this.arrivals.add(conversation);
  }
  claim(actor: Actor, conversationId: string): Promise<ConversationDTO> {
    return this.call('claim', actor, conversationId);
  }
  assign(actor: Actor, conversationId: string, toAgentId: string): Promise<ConversationDTO> {
    return this.call('assign', actor, conversationId, toAgentId);
  }
  transfer(actor: Actor, conversationId: string, toAgentId: string): Promise<AppendResult> {
    return this.call('transfer', actor, conversationId, toAgentId);
  }
  unassign(actor: Actor, conversationId: string, handoff?: HandoffReason): Promise<AppendResult> {
    return this.call('unassign', actor, conversationId, handoff);
  }
  resolve(actor: Actor, conversationId: string): Promise<AppendResult> {
    return this.call('resolve', actor, conversationId);
  }
  reopen(actor: Actor, conversation: ConversationDTO): Promise<AppendResult> {
    return this.call('reopen', actor, conversation);
  }
  presenceChanged(): Promise<void> {
    return this.call('presenceChanged');
  }
  setStatus(agentId: string, status: AgentStatus): Promise<AgentDTO> {
    return this.call('setStatus', agentId, status);
  }

  /** Every node re-reads the agent; the leader also routes by the new facts. */
  async refreshAgent(agentId: string): Promise<AgentRecord | undefined> {
    await this.local.loadDirectory(agentId);
    this.io.serverSideEmit(AGENT_CHANGED, agentId);
    await this.call('refreshAgent', agentId);
    return this.local.agent(agentId);
  }

  // --- the RPC -----------------------------------------------------------------------------------------

  private async refreshSnapshot(): Promise<void> {
    try {
      for (const agent of await this.call('snapshot')) this.live.set(agent.id, agent);
    } catch (err) {
      this.log.warn({ err }, 'could not read agent state from the leader yet');
    }
  }

  /** Runs the command here when leading, else on the leader; waits out a failover up to LEADER_WAIT_MS. */
  private async call<C extends RpcName>(command: C, ...args: RpcArgs[C]): Promise<RpcData[C]> {
    const deadline = Date.now() + LEADER_WAIT_MS;
    for (;;) {
      if (this.leader) return this.run(command, args);
      const reply = await this.ask(command, args);
      if (reply && 'ok' in reply) {
        if (reply.ok) return reply.data;
        throw new AppError(reply.error.code, reply.error.message, reply.error.retryAfterMs);
      }
      if (Date.now() > deadline) throw new AppError('UNAVAILABLE', 'Routing is failing over to another node; try again');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async ask<C extends RpcName>(command: C, args: RpcArgs[C]): Promise<Reply<C> | undefined> {
    // What the leader's serve() answered for this command; undefined when no leader heard it or it died meanwhile.
    const reply = await this.requests.ask({ command, args } as RoutingRequest).catch(() => undefined);
    return reply as Reply<C> | undefined;
  }

  private async serve<C extends RpcName>(command: C, args: RpcArgs[C]): Promise<Reply<C>> {
    if (!this.leader) return { notLeader: true };
    try {
      return { ok: true, data: await this.run(command, args) };
    } catch (error) {
      return { ok: false, error: toApiError(this.log, `routing:${command}`, error) };
    }
  }

  private async run<C extends RpcName>(command: C, args: RpcArgs[C]): Promise<RpcData[C]> {
    const handler: (...args: RpcArgs[C]) => RpcData[C] | Promise<RpcData[C]> = this.handlers[command];
    return handler(...args);
  }
}
