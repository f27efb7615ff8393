/** The visitor's earlier conversations, newest first: open one, or start a new one. */
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { Locale, Translate } from '../../client/i18n.ts';
import type { FrameText } from './i18n.ts';

interface HistoryProps {
  conversations: readonly ConversationDTO[];
  locale: Locale;
  t: Translate<FrameText>;
  onOpen(conversationId: string): void;
  onNewConversation(): void;
  onBack(): void;
}

const STATUS_TEXT = { queued: 'statusQueued', active: 'statusActive', resolved: 'statusResolved' } as const;

export function History({ conversations, locale, t, onOpen, onNewConversation, onBack }: HistoryProps) {
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section class="history" aria-labelledby="history-title">
      <h2 id="history-title">{t('history')}</h2>
      {conversations.length === 0 ? (
        <p>{t('noHistory')}</p>
      ) : (
        <ul>
          {conversations.map((conversation) => (
            <li key={conversation.id}>
              <button type="button" onClick={() => onOpen(conversation.id)}>
                <time dateTime={conversation.queuedAt}>{date.format(new Date(conversation.queuedAt))}</time>
                <span>
                  {t(STATUS_TEXT[conversation.status])}
                  {conversation.assignee && ` · ${t('withAgent', { name: conversation.assignee.name })}`}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="button" class="primary" onClick={onNewConversation}>
          {t('newConversation')}
        </button>
        <button type="button" onClick={onBack}>
          {t('back')}
        </button>
      </div>
    </section>
  );
}
