/** The socket notifier as a subscriber of the domain events: each committed fact is pushed to the clients concerned. */
import type { DomainEvents } from '../app/events.ts';
import type { Notifier } from '../app/ports.ts';

export function subscribeSocketNotifier(events: DomainEvents, notifier: Notifier): void {
  events.on('message.created', ({ message, conversation, sentFrom, opened }) => notifier.messageCreated(message, conversation, { sentFrom, opened }));
  for (const event of ['queued', 'assigned', 'transferred', 'unassigned', 'resolved', 'reopened', 'rated'] as const) {
    const holder = event === 'assigned' || event === 'transferred' ? event : undefined;
    events.on(`conversation.${event}`, ({ conversation }) => notifier.conversationChanged(conversation, holder));
  }
  events.on('visitor.updated', ({ change }) => notifier.visitorChanged(change));
  events.on('visitor.identified', ({ change }) => notifier.visitorChanged(change));
  events.on('agent.status', ({ agent, siteIds }) => notifier.agentChanged(agent, siteIds));
  events.on('email.changed', ({ email }) => notifier.emailChanged(email));
}
