/** The checks a routing command makes before it asks the engine: who is acting, and may they touch this conversation. */
import type { ConversationState } from '../domain/routing.ts';
import { servesSite } from './access.ts';
import { AppError } from './errors.ts';
import type { AgentRecord } from './ports.ts';

export function activeAgent(agents: ReadonlyMap<string, AgentRecord>, agentId: string): AgentRecord {
  const agent = agents.get(agentId);
  if (!agent || !agent.active) throw new AppError('FORBIDDEN', 'Agent account is not active');
  return agent;
}

/**
 * The open conversation (undefined when not open), provided the agent serves its site. Another site's
 * conversation answers NOT_FOUND, exactly like one that does not exist.
 */
export function onAgentsSite(agent: AgentRecord, open: ConversationState | undefined): ConversationState | undefined {
  if (open && !servesSite(agent, open.siteId)) throw new AppError('NOT_FOUND', 'Conversation not found');
  return open;
}

/** The current assignee, provided the agent is that assignee or an admin. */
export function assigneeOrAdmin(agent: AgentRecord, open: ConversationState | undefined): string {
  const conversation = onAgentsSite(agent, open);
  if (!conversation) throw new AppError('NOT_FOUND', 'Conversation is not open');
  if (conversation.assigneeId === null) throw new AppError('NOT_QUEUED', 'The conversation is waiting in the queue');
  if (conversation.assigneeId !== agent.id && agent.role !== 'admin') {
    throw new AppError('FORBIDDEN', 'Only the assigned agent or an admin can do this');
  }
  return conversation.assigneeId;
}
