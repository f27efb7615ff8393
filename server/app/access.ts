import type { SystemEvent } from '../contract/dto.ts';
import type { AgentRecord } from './ports.ts';

/** Admins answer for every site; agents for the sites they are members of. */
export function servesSite(agent: AgentRecord, siteId: string): boolean {
  return agent.siteIds === 'all' || agent.siteIds.includes(siteId);
}

/**
 * The agent a system line is about: who got the conversation, gave it up, reopened or resolved it. Stored as the
 * line's author, so the messages an agent authored tell which conversations they hold or held.
 */
export function agentConcerned(event: SystemEvent): string | null {
  switch (event.type) {
    case 'assigned':
    case 'transferred':
      return event.agentId;
    case 'unassigned':
    case 'requeued':
      return event.fromAgentId;
    case 'resolved':
    case 'reopened':
      return event.byAgentId;
  }
}
