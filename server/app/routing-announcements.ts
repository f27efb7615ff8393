/** What routing committed, told: domain events that carry conversations as agents' lists show them, and the queue's news. */
import type { ConversationSummaryDTO } from '../contract/dto.ts';
import type { ConversationEventName, DomainEvents, EventMap } from './events.ts';
import type { Logger } from './logger.ts';
import type { AppendResult, Notifier, Store } from './ports.ts';

export class RoutingAnnouncements {
  constructor(
    private readonly store: Pick<Store, 'conversations'>,
    private readonly events: DomainEvents,
    private readonly notifier: Pick<Notifier, 'conversationsWaiting'>,
    private readonly log: Logger,
  ) {}

  /**
   * A decision committed: its system line is a new message, then the conversation's own event follows, with the
   * conversation as agents' lists show it.
   */
  decided<E extends ConversationEventName>(result: AppendResult, event: E, details: Omit<EventMap[E], 'conversation'>): void {
    this.events.emit('message.created', { message: result.message, conversation: result.conversation, actor: details.actor });
    void this.store.conversations
      .summary(result.conversation.id)
      .then((summary) => summary && this.events.emit(event, { ...details, conversation: summary } as EventMap[E]))
      .catch((err) => this.log.error({ err, event, conversationId: result.conversation.id }, 'conversation summary failed; event not emitted'));
  }

  /** Arrivals their routing turn left waiting, to their sites' agents (Notifier.conversationsWaiting). */
  waiting(conversations: ConversationSummaryDTO[]): void {
    if (conversations.length > 0) this.notifier.conversationsWaiting(conversations);
  }

  /**
   * After a rebuild, the whole queue as the database has it: a leader that died between an arrival and its routing
   * turn left it unannounced, and consoles that show the rest already merge them as known.
   */
  async waitingAgain(conversationIds: string[]): Promise<void> {
    const summaries = await Promise.all(conversationIds.map((id) => this.store.conversations.summary(id)));
    this.waiting(summaries.filter((summary): summary is ConversationSummaryDTO => summary?.status === 'queued'));
  }
}
