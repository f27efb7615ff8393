/**
 * The team as an agent sees it (transfer targets, presence): the agents who share a site with them. Emails are
 * for admins, and for one's own record.
 */
import type { AgentDTO, TeamMemberDTO } from '../contract/dto.ts';
import type { AgentRecord } from './ports.ts';
import type { Routing } from './routing-port.ts';

export function sharesSite(a: Pick<AgentRecord, 'siteIds'>, b: Pick<AgentRecord, 'siteIds'>): boolean {
  if (a.siteIds === 'all' || b.siteIds === 'all') return true;
  const theirs = new Set(b.siteIds);
  return a.siteIds.some((siteId) => theirs.has(siteId));
}

export function withoutEmail(agent: AgentDTO): TeamMemberDTO {
  const { email: _email, ...rest } = agent;
  return rest;
}

export function teamOf(routing: Pick<Routing, 'agent' | 'listAgents'>, agentId: string): TeamMemberDTO[] {
  const asker = routing.agent(agentId);
  if (!asker) return [];
  return routing.listAgents().flatMap((agent) => {
    const record = routing.agent(agent.id);
    if (!record || !sharesSite(asker, record)) return [];
    return [asker.role === 'admin' || agent.id === asker.id ? agent : withoutEmail(agent)];
  });
}
