/** The routing engine's refusals in the words clients are shown. */
import type { RoutingErrorCode } from '../domain/routing.ts';
import { AppError } from './errors.ts';

const ROUTING_MESSAGES: Record<RoutingErrorCode, string> = {
  NOT_FOUND: 'Conversation not found',
  NOT_QUEUED: 'The conversation is not waiting in the queue',
  ALREADY_ASSIGNED: 'Another agent took this conversation first',
  AGENT_AT_CAPACITY: 'The agent has no free capacity',
  AGENT_UNAVAILABLE: 'The agent is not online',
  FORBIDDEN: 'The agent does not serve this site',
  CONVERSATION_RESOLVED: 'The conversation is resolved',
  CONFLICT: 'Nobody holds this conversation',
};

export function routingError(code: RoutingErrorCode): AppError {
  return new AppError(code, ROUTING_MESSAGES[code]);
}
