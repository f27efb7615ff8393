/** The routing engine's inputs from what the store reads: agents (bots flagged) and open conversations. */
import type { AgentInput, ConversationInput, LoadState } from '../domain/routing.ts';
import type { ConversationDTO } from '../contract/dto.ts';
import type { AgentRecord, OpenConversation } from './ports.ts';

export function toAgentInput(agent: AgentRecord): AgentInput {
  const { id, siteIds, capacity, status, active } = agent;
  return { id, siteIds, capacity, status, active, bot: agent.role === 'bot' };
}

export function toConversationInput(c: OpenConversation): ConversationInput {
  return { id: c.id, siteId: c.siteId, queuedAt: c.queuedAt.getTime(), assigneeId: c.assigneeId, assignedAt: c.assignedAt?.getTime() ?? null };
}

/** A conversation just reopened to `agentId`, as stored; assigned `now` if the store did not say when. */
export function reopenedInput(c: ConversationDTO, agentId: string, now: number): ConversationInput {
  return { id: c.id, siteId: c.siteId, queuedAt: Date.parse(c.queuedAt), assigneeId: agentId, assignedAt: c.assignedAt ? Date.parse(c.assignedAt) : now };
}

export function loadState(agents: AgentRecord[], open: OpenConversation[]): LoadState {
  return { agents: agents.map(toAgentInput), conversations: open.map(toConversationInput) };
}
