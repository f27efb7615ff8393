/** The open conversation: who and what state, Claim and Resolve, the transcript and the reply box. */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ConversationSummaryDTO, MessageDTO } from '../server/contract/dto.ts';
import type { MAX_MESSAGE_LENGTH } from '../server/contract/events.ts';
import { Composer } from '../widget/shared/composer.tsx';
import { failureText, systemText, visitorLabel } from './format.ts';
import { locale, t } from './i18n.ts';
import type { Inbox, InboxState, OutgoingReply } from './inbox.ts';

// Typed against the contract's constant, so a change there fails the type check here.
const maxMessageLength: typeof MAX_MESSAGE_LENGTH = 5000;
const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });

function stateText(conversation: ConversationSummaryDTO): string {
  if (conversation.status === 'queued') return t('queued');
  if (conversation.status === 'resolved') return t('resolved');
  return t('assignedTo', { name: conversation.assignee?.name ?? '?' });
}

function Message({ message }: { message: MessageDTO }) {
  if (message.system) return <li class="system">{systemText(message.system)}</li>;
  const note = message.authorKind === 'note';
  return (
    <li class={`message ${message.authorKind}`}>
      <span class="author">{note ? `${t('note')} · ${message.authorName ?? ''}` : message.authorName}</span>
      <p class="body">{message.body}</p>
      <time class="meta" dateTime={message.createdAt}>
        {time.format(new Date(message.createdAt))}
      </time>
    </li>
  );
}

function Outgoing({ reply, onRetry }: { reply: OutgoingReply; onRetry(clientId: string): void }) {
  const failed = reply.status === 'failed';
  return (
    <li class={`message agent ${reply.status}`}>
      <p class="body">{reply.body}</p>
      <span class="meta">
        {failed ? t('failed') : t('sending')}
        {failed && (
          <button type="button" class="link" onClick={() => onRetry(reply.clientId)}>
            {t('retry')}
          </button>
        )}
      </span>
    </li>
  );
}

export function ConversationPane({ inbox, state }: { inbox: Inbox; state: InboxState }) {
  const { selectedId, messages, failure } = state;
  const conversation = selectedId ? state.conversations[selectedId] : undefined;
  const outgoing = state.outgoing.filter((reply) => reply.conversationId === selectedId);
  const log = useRef<HTMLDivElement>(null);
  // Keep the newest message in view.
  useLayoutEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages, outgoing.length]);

  if (!conversation) {
    return (
      <main class="pane">
        <p class="placeholder">{t('selectConversation')}</p>
      </main>
    );
  }
  const { id, status } = conversation;
  return (
    <main class="pane">
      <header class="pane-header">
        <div>
          <h2>{visitorLabel(conversation)}</h2>
          <p class="state">{stateText(conversation)}</p>
        </div>
        <div class="actions">
          {status === 'queued' && (
            <button type="button" onClick={() => void inbox.claim(id)}>
              {t('claim')}
            </button>
          )}
          {status !== 'resolved' && (
            <button type="button" onClick={() => void inbox.resolve(id)}>
              {t('resolve')}
            </button>
          )}
        </div>
      </header>
      <p class="failure" role="alert">
        {failure && failureText(failure)}
      </p>
      <div class="transcript" role="log" aria-label={t('transcript')} ref={log}>
        <ol>
          {messages.map((message) => (
            <Message key={message.id} message={message} />
          ))}
          {outgoing.map((reply) => (
            <Outgoing key={reply.clientId} reply={reply} onRetry={(clientId) => inbox.retry(clientId)} />
          ))}
        </ol>
      </div>
      {status !== 'resolved' && (
        <Composer label={t('reply')} placeholder={t('reply')} sendLabel={t('send')} maxLength={maxMessageLength} onSend={(body) => inbox.reply(id, body)} />
      )}
    </main>
  );
}
