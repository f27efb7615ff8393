/** A titled list of conversations (a view or search results): who, what they said last, how long they wait. */
import type { ConversationSummaryDTO } from '../server/contract/dto.ts';
import { formatDuration, messagePreview, useNow, visitorLabel } from './format.ts';
import { t } from './i18n.ts';

interface ConversationListProps {
  id: string;
  title: string;
  conversations: ConversationSummaryDTO[];
  selectedId: string | null;
  unread: Record<string, number>;
  /** Show how long each has waited (the queue). */
  showWait?: boolean;
  /** Show the assignee (All, search). */
  showAssignee?: boolean;
  emptyText?: string;
  onSelect(conversation: ConversationSummaryDTO): void;
}

export function ConversationList(props: ConversationListProps) {
  const { id, title, conversations, selectedId, unread, showWait = false, showAssignee = false, onSelect } = props;
  const now = useNow(showWait ? 1000 : 60_000);
  const headingId = `${id}-heading`;
  return (
    <section class="conversation-list" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} <span class="count">{conversations.length}</span>
      </h2>
      {conversations.length === 0 ? (
        <p class="empty">{props.emptyText ?? t('empty')}</p>
      ) : (
        <ul>
          {conversations.map((conversation) => {
            const count = unread[conversation.id] ?? 0;
            return (
              <li key={conversation.id}>
                <button
                  type="button"
                  class={count > 0 ? 'unread' : undefined}
                  aria-current={conversation.id === selectedId ? 'true' : undefined}
                  data-conversation-id={conversation.id}
                  onClick={() => onSelect(conversation)}
                >
                  <span class="row">
                    <span class="name">{visitorLabel(conversation)}</span>
                    {conversation.status === 'active' && conversation.assignee?.bot && <span class="bot-badge">{t('botBadge')}</span>}
                    {count > 0 && (
                      <span class="unread-badge">
                        <span aria-hidden="true">{count}</span>
                        <span class="visually-hidden">{t('unreadCount', { count })}</span>
                      </span>
                    )}
                    {showWait && conversation.status === 'queued' && (
                      <span class="wait" title={t('waitingFor')}>
                        {formatDuration(now - Date.parse(conversation.queuedAt))}
                      </span>
                    )}
                  </span>
                  <span class="preview">{messagePreview(conversation.lastMessage)}</span>
                  {(showAssignee || conversation.labels.length > 0) && (
                    <span class="meta-row">
                      {showAssignee && (
                        <span class="assignee">
                          {conversation.status === 'queued'
                            ? t('queued')
                            : conversation.status === 'resolved'
                              ? t('resolved')
                              : (conversation.assignee?.name ?? '')}
                        </span>
                      )}
                      {conversation.labels.map((label) => (
                        <span key={label} class="label-chip">
                          {label}
                        </span>
                      ))}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
