/** How the console names visitors and words system events and command failures. */
import type { ConversationSummaryDTO, MessageDTO, SystemEvent } from '../server/contract/dto.ts';
import type { ErrorCode } from '../server/contract/errors.ts';
import { t } from './i18n.ts';

export function visitorLabel({ visitor }: ConversationSummaryDTO): string {
  return visitor.name ?? visitor.email ?? t('visitor', { id: visitor.id.slice(-6) });
}

export function systemText(event: SystemEvent): string {
  switch (event.type) {
    case 'assigned':
      return t('systemAssigned', { name: event.agentName });
    case 'transferred':
      return t('systemTransferred', { name: event.agentName });
    case 'unassigned':
      return t('systemUnassigned');
    case 'requeued':
      return t('systemRequeued');
    case 'resolved':
      return t('systemResolved');
  }
}

export function messagePreview(message: MessageDTO | null): string {
  if (!message) return t('noMessages');
  return message.system ? systemText(message.system) : message.body;
}

export function failureText(code: ErrorCode | 'TIMEOUT'): string {
  switch (code) {
    case 'ALREADY_ASSIGNED':
    case 'NOT_QUEUED':
      return t('alreadyAssigned');
    case 'AGENT_AT_CAPACITY':
      return t('atCapacity');
    case 'CONVERSATION_RESOLVED':
      return t('conversationResolved');
    default:
      return t('actionFailed', { code });
  }
}
