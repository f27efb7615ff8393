/** What the rest of the server asks of routing, whoever runs it: this node (routing.ts) or the cluster's leader. */
import type { AgentDTO, AgentStatus, ConversationDTO, ConversationSummaryDTO } from '../contract/dto.ts';
import type { HandoffReason } from '../bots/ports.ts';
import type { AgentDirectory, AgentRecord, AppendResult } from './ports.ts';

export interface Actor {
  agentId: string;
}

/**
 * What the rest of the server asks of routing. RoutingService is the one that decides; in a cluster, nodes
 * that are not the routing leader forward the commands to it (server/cluster/cluster-routing.ts).
 */
export interface Routing extends AgentDirectory {
  agent(agentId: string): AgentRecord | undefined;
  listAgents(): AgentDTO[];
  agentsOnline(siteId: string): boolean;
  sendPositions(visitorId: string): void;
  /**
   * Routes a new (or requeued) conversation, given as agents' lists show it; resolves with it as its turn assigned
   * it, or null while it waits.
   */
  enqueue(conversation: ConversationSummaryDTO): Promise<ConversationDTO | null>;
  /** Claiming a conversation one already holds answers with it as it is. */
  claim(actor: Actor, conversationId: string): Promise<ConversationDTO>;
  /** A queued conversation to a named agent; assigning one to the agent who holds it answers with it as it is. */
  assign(actor: Actor, conversationId: string, toAgentId: string): Promise<ConversationDTO>;
  transfer(actor: Actor, conversationId: string, toAgentId: string): Promise<AppendResult>;
  /** With `handoff`, the actor is the bot holding it, giving it to people (server/bots). */
  unassign(actor: Actor, conversationId: string, handoff?: HandoffReason): Promise<AppendResult>;
  resolve(actor: Actor, conversationId: string): Promise<AppendResult>;
  reopen(actor: Actor, conversation: ConversationDTO): Promise<AppendResult>;
  presenceChanged(): Promise<void>;
  setStatus(agentId: string, status: AgentStatus): Promise<AgentDTO>;
  refreshAgent(agentId: string): Promise<AgentRecord | undefined>;
}
