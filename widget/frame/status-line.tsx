/**
 * One polite live line under the transcript: connection trouble, an agent typing, or the queue
 * position and estimated wait (updated live while the conversation waits).
 */
import type { Translate } from '../../client/i18n.ts';
import type { FrameText } from './i18n.ts';
import type { VisitorChatState } from './visitor-state.ts';

interface StatusLineProps {
  state: VisitorChatState;
  t: Translate<FrameText>;
}

function statusText({ state, t }: StatusLineProps): string {
  const { connection, conversation, queue, agentTyping } = state;
  if (connection === 'reconnecting') return t('reconnecting');
  if (connection === 'unavailable') return t('unavailable');
  if (agentTyping !== null) return agentTyping ? t('agentTyping', { name: agentTyping }) : t('someoneTyping');
  if (conversation?.status !== 'queued' || queue?.conversationId !== conversation.id || !queue.agentsOnline) return '';
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
