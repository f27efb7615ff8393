/**
 * Email replies of the open conversation sent from an address other than the visitor's: held until an agent
 * accepts one (it becomes the visitor's message) or discards it. Reloaded whenever the conversation changes.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationSummaryDTO } from '../server/contract/dto.ts';
import type { InboundEmailDTO } from '../server/contract/inbound-email.ts';
import { failureOf, failureText } from './format.ts';
import { t } from './i18n.ts';
import type { Inbox } from './inbox.ts';

export function HeldReplies({ inbox, conversation }: { inbox: Inbox; conversation: ConversationSummaryDTO }) {
  const [held, setHeld] = useState<InboundEmailDTO[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const load = (): void =>
    void inbox.emailReplies('email:held', { conversationId: conversation.id }).then(setHeld, (error: unknown) => setFailure(failureText(failureOf(error))));
  // Holding, accepting and discarding all announce the conversation as changed, which gives it a new object.
  useEffect(load, [conversation]);
  if (held.length === 0 && !failure) return null;
  const decide = (event: 'email:accept' | 'email:discard', id: string): void =>
    void inbox.emailReplies(event, { inboundEmailId: id }).then(
      () => setHeld((list) => list.filter((h) => h.id !== id)),
      (error: unknown) => setFailure(failureText(failureOf(error))),
    );
  return (
    <section class="held-replies" aria-label={t('heldReplies')}>
      <h3>{t('heldReplies')}</h3>
      <p class="failure" role="alert">
        {failure}
      </p>
      <ul>
        {held.map((reply) => (
          <li key={reply.id}>
            <p class="held-from">{t('heldFrom', { sender: reply.sender })}</p>
            <p class="held-body">{reply.body}</p>
            <div class="actions">
              <button type="button" class="primary" onClick={() => decide('email:accept', reply.id)}>
                {t('acceptAsVisitorMessage')}
              </button>
              <button type="button" onClick={() => decide('email:discard', reply.id)}>
                {t('discard')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
