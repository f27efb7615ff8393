/** One polite live line under the transcript: connection trouble, queue position and wait, or no agent online. */
import type { Translate } from '../shared/i18n.ts';
import type { FrameText } from './i18n.ts';
import type { VisitorChatState } from './visitor-chat.ts';

interface StatusLineProps {
  state: VisitorChatState;
  /** From the widget config: the only hint before the visitor's first message. */
  agentsOnlineAtLoad: boolean;
  t: Translate<FrameText>;
}

function statusText({ state, agentsOnlineAtLoad, t }: StatusLineProps): string {
  const { connection, conversation, queue } = state;
  if (connection === 'reconnecting') return t('reconnecting');
  if (connection === 'unavailable') return t('unavailable');
  if (!conversation) return agentsOnlineAtLoad ? '' : t('noAgentOnline');
  if (conversation.status !== 'queued' || queue?.conversationId !== conversation.id) return '';
  if (!queue.agentsOnline) return t('noAgentOnline');
  const position = t('queuePosition', { position: queue.position });
  if (queue.estimatedWaitMs === null) return position;
  const minutes = Math.round(queue.estimatedWaitMs / 60_000);
  return `${position} ${minutes < 1 ? t('waitUnderMinute') : t('waitMinutes', { minutes })}`;
}

export function StatusLine(props: StatusLineProps) {
  // Always rendered, so screen readers announce its changes.
  return (
    <p class="status" role="status">
      {statusText(props)}
    </p>
  );
}
