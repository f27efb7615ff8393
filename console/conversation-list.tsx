/** One view of conversations (Queue, Mine) as a titled list of buttons. */
import type { ConversationSummaryDTO } from '../server/contract/dto.ts';
import { messagePreview, visitorLabel } from './format.ts';
import { t } from './i18n.ts';

interface ConversationListProps {
  id: string;
  title: string;
  conversations: ConversationSummaryDTO[];
  selectedId: string | null;
  onSelect(conversationId: string): void;
}

export function ConversationList({ id, title, conversations, selectedId, onSelect }: ConversationListProps) {
  const headingId = `${id}-heading`;
  return (
    <section class="conversation-list" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {title} <span class="count">{conversations.length}</span>
      </h2>
      {conversations.length === 0 ? (
        <p class="empty">{t('empty')}</p>
      ) : (
        <ul>
          {conversations.map((conversation) => (
            <li key={conversation.id}>
              <button
                type="button"
                aria-current={conversation.id === selectedId ? 'true' : undefined}
                onClick={() => onSelect(conversation.id)}
              >
                <span class="name">{visitorLabel(conversation)}</span>
                <span class="preview">{messagePreview(conversation.lastMessage)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
