/**
 * The conversation as a live log (announced to screen readers as it grows): the visitor's messages on
 * the inline end with their state (sending, sent, read, or failed with Retry), the agents' on the
 * inline start, system events as centred lines in the visitor's language.
 */
import { useLayoutEffect, useMemo, useRef } from 'preact/hooks';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { Locale, Translate } from '../../client/i18n.ts';
import { RichText } from '../../client/rich-text.tsx';
import { AttachmentList } from './attachments.tsx';
import type { FrameText } from './i18n.ts';
import { systemText } from '../../client/system-text.ts';
import type { VisitorChatState, VisitorOutgoing } from './visitor-state.ts';

interface TranscriptProps {
  greeting: string;
  state: VisitorChatState;
  locale: Locale;
  t: Translate<FrameText>;
  onRetry(clientId: string): void;
}

function Body({ body }: { body: string }) {
  return body ? (
    <p class="body">
      <RichText text={body} />
    </p>
  ) : null;
}

function Message({ message, readSeq, time, t }: { message: MessageDTO; readSeq: number; time: Intl.DateTimeFormat; t: Translate<FrameText> }) {
  if (message.system) return <li class="system">{systemText(message.system, t)}</li>;
  const mine = message.authorKind === 'visitor';
  return (
    <li class={mine ? 'message mine' : 'message'}>
      {!mine && <span class="author">{message.authorName ?? t('agent')}</span>}
      <Body body={message.body} />
      <AttachmentList attachments={message.attachments} />
      <span class="meta">
        <time dateTime={message.createdAt}>{time.format(new Date(message.createdAt))}</time>
        {mine && ` · ${message.seq <= readSeq ? t('read') : t('sent')}`}
      </span>
    </li>
  );
}

function Outgoing({ message, t, onRetry }: { message: VisitorOutgoing; t: Translate<FrameText>; onRetry(clientId: string): void }) {
  const failed = message.status === 'failed';
  return (
    <li class={failed ? 'message mine failed' : 'message mine sending'}>
      <Body body={message.body} />
      <AttachmentList attachments={message.attachments} />
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
  const { messages, outgoing, conversation } = state;
  // Keep the newest message in view.
  useLayoutEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages, outgoing]);
  return (
    <div class="transcript" role="log" aria-label={t('transcript')} ref={log} tabIndex={0}>
      {greeting && <p class="greeting">{greeting}</p>}
      <ol>
        {messages.map((message) => (
          <Message key={message.id} message={message} readSeq={conversation?.agentReadSeq ?? 0} time={time} t={t} />
        ))}
        {outgoing.map((message) => (
          <Outgoing key={message.clientId} message={message} t={t} onRetry={onRetry} />
        ))}
      </ol>
    </div>
  );
}
