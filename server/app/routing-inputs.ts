/** What the routing engine is built from: stored agents and open conversations, in the engine's own terms. */
import type { AgentInput, LoadState } from '../domain/routing.ts';
import type { AgentRecord, OpenConversation } from './ports.ts';

export function toAgentInput(agent: AgentRecord): AgentInput {
  return { id: agent.id, siteIds: agent.siteIds, capacity: agent.capacity, status: agent.status, active: agent.active };
}

export function loadState(agents: AgentRecord[], open: OpenConversation[]): LoadState {
  return {
    agents: agents.map(toAgentInput),
    conversations: open.map((c) => ({
      id: c.id,
      siteId: c.siteId,
      queuedAt: c.queuedAt.getTime(),
      assigneeId: c.assigneeId,
      assignedAt: c.assignedAt?.getTime() ?? null,
    })),
  };
}
