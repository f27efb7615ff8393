/** A push alert's notification text in the console's language (the service worker and the page share it). */
import type { PushAlertPayload } from '../server/contract/alerts.ts';
import { t } from './i18n.ts';

export function alertNotification(payload: PushAlertPayload): { title: string; body: string; tag: string } {
  const name = payload.visitorName;
  const title = {
    queueWait: t('pushQueueWaitTitle'),
    visitorMessage: name ? t('notifyMessageTitle', { name }) : t('pushVisitorMessageTitle'),
    transfer: t('pushTransferTitle'),
    escalation: t('pushQueueWaitTitle'),
    offlineMessage: t('pushOfflineMessageTitle'),
  }[payload.kind];
  // Without text (the site keeps it out of alerts, or the visitor sent only a file): where, or a plain nudge.
  const body = payload.text ?? (payload.siteName ? t('pushOnSite', { site: payload.siteName }) : t('pushOpenConsole'));
  return { title, body, tag: `${payload.kind}-${payload.conversationId}` };
}

/** What the service worker posts to an open console tab when a notification is clicked. */
export interface OpenConversationMessage {
  type: 'parley:open-conversation';
  conversationId: string;
}
