/** A system line (assigned, transferred, ...) in the visitor's language. */
import type { SystemEvent } from '../../server/contract/dto.ts';
import type { Translate } from '../shared/i18n.ts';
import type { FrameText } from './i18n.ts';

export function systemText(event: SystemEvent, t: Translate<FrameText>): string {
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
    case 'reopened':
      return t('systemReopened', { name: event.agentName });
  }
}
