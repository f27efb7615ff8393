/** The socket notifier as a subscriber of the domain events: each committed fact is pushed to the clients concerned. */
import type { DomainEvents } from '../app/events.ts';
import type { Notifier } from '../app/ports.ts';

export function subscribeSocketNotifier(events: DomainEvents, notifier: Notifier): void {
  events.on('message.created', ({ message, conversation, sentFrom, opened }) => notifier.messageCreated(message, conversation, { sentFrom, opened }));
  events.on('conversation.queued', ({ conversation }) => notifier.conversationQueued(conversation));
  events.on('conversation.assigned', ({ conversation, onArrival }) => notifier.conversationChanged(conversation, onArrival ? 'assignedOnArrival' : 'assigned'));
  events.on('conversation.transferred', ({ conversation }) => notifier.conversationChanged(conversation, 'transferred'));
  for (const event of ['unassigned', 'resolved', 'reopened', 'rated'] as const) {
    events.on(`conversation.${event}`, ({ conversation }) => notifier.conversationChanged(conversation));
  }
  events.on('visitor.updated', ({ change }) => notifier.visitorChanged(change));
  events.on('visitor.identified', ({ change }) => notifier.visitorChanged(change));
  events.on('agent.status', ({ agent, siteIds }) => notifier.agentChanged(agent, siteIds));
  events.on('email.changed', ({ email }) => notifier.emailChanged(email));
}
