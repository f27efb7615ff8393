/**
 * The conversation as a live log: the visitor's messages on the right, the agents' on the left, system
 * events as centred lines in the visitor's language. Text is rendered as text nodes, never as HTML.
 */
import { useLayoutEffect, useMemo, useRef } from 'preact/hooks';
import type { MessageDTO, SystemEvent } from '../../server/contract/dto.ts';
import type { Locale, Translate } from '../shared/i18n.ts';
import type { OutgoingMessage } from '../shared/messages.ts';
import type { FrameText } from './i18n.ts';
import type { VisitorChatState } from './visitor-chat.ts';

interface TranscriptProps {
  greeting: string;
  state: VisitorChatState;
  locale: Locale;
  t: Translate<FrameText>;
  onRetry(clientId: string): void;
}

function systemText(event: SystemEvent, t: Translate<FrameText>): string {
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

function Message({ message, time, t }: { message: MessageDTO; time: Intl.DateTimeFormat; t: Translate<FrameText> }) {
  if (message.system) return <li class="system">{systemText(message.system, t)}</li>;
  const mine = message.authorKind === 'visitor';
  const author = mine ? t('you') : (message.authorName ?? t('agent'));
  return (
    <li class={mine ? 'message mine' : 'message'}>
      {!mine && <span class="author">{author}</span>}
      <p class="body">{message.body}</p>
      <span class="meta">
        <time dateTime={message.createdAt}>{time.format(new Date(message.createdAt))}</time>
        {mine && ` · ${t('sent')}`}
      </span>
    </li>
  );
}

function Outgoing({ message, t, onRetry }: { message: OutgoingMessage; t: Translate<FrameText>; onRetry(clientId: string): void }) {
  const failed = message.status === 'failed';
  return (
    <li class={failed ? 'message mine failed' : 'message mine sending'}>
      <p class="body">{message.body}</p>
      <span class="meta">
        {!failed ? t('sending') : message.error === 'RATE_LIMITED' ? t('rateLimited') : t('failed')}
        {failed && (
          <button type="button" class="retry" onClick={() => onRetry(message.clientId)}>
            {t('retry')}
          </button>
        )}
      </span>
    </li>
  );
}

export function Transcript({ greeting, state, locale, t, onRetry }: TranscriptProps) {
  const time = useMemo(() => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }), [locale]);
  const log = useRef<HTMLDivElement>(null);
  const { messages, outgoing } = state;
  // Keep the newest message in view.
  useLayoutEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages, outgoing]);
  return (
    <div class="transcript" role="log" aria-label={t('transcript')} ref={log}>
      {greeting && <p class="greeting">{greeting}</p>}
      <ol>
        {messages.map((message) => (
          <Message key={message.id} message={message} time={time} t={t} />
        ))}
        {outgoing.map((message) => (
          <Outgoing key={message.clientId} message={message} t={t} onRetry={onRetry} />
        ))}
      </ol>
    </div>
  );
}
