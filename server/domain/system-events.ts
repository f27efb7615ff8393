/** Rules about the system lines routing writes into a conversation. Pure. */
import type { SystemEvent } from '../contract/dto.ts';

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
    case 'handed_off':
      return event.fromAgentId;
    case 'resolved':
    case 'reopened':
      return event.byAgentId;
  }
}
