/** A system line (assigned, transferred, ...) in the reader's language; widget and console share it. */
import type { SystemEvent } from '../server/contract/dto.ts';
import type { Translate } from './i18n.ts';

export type SystemTextKey = 'systemAssigned' | 'systemTransferred' | 'systemUnassigned' | 'systemRequeued' | 'systemHandedOff' | 'systemResolved' | 'systemReopened';

export function systemText(event: SystemEvent, t: Translate<SystemTextKey>): string {
  switch (event.type) {
    case 'assigned':
      return t('systemAssigned', { name: event.agentName });
    case 'transferred':
      return t('systemTransferred', { name: event.agentName });
    case 'unassigned':
      return t('systemUnassigned');
    case 'requeued':
      return t('systemRequeued');
    case 'handed_off':
      return t('systemHandedOff');
    case 'resolved':
      return t('systemResolved');
    case 'reopened':
      return t('systemReopened', { name: event.agentName });
  }
}
