/**
 * Domain events to webhook deliveries: each event's public type, the key that makes it one delivery per fact,
 * and its conversation and sequence number for per-conversation order.
 */
import type { DomainEvents, EventMap } from '../app/events.ts';
import { newId } from '../app/ids.ts';
import type { PublishedEvent, WebhookService } from '../app/webhooks.ts';
import type { ConversationSummaryDTO } from '../contract/dto.ts';

const CONVERSATION_EVENTS = ['conversation.queued', 'conversation.assigned', 'conversation.transferred', 'conversation.unassigned', 'conversation.resolved', 'conversation.reopened'] as const;

export function subscribeWebhooks(events: DomainEvents, webhooks: Pick<WebhookService, 'publish'>): void {
  events.on('message.created', ({ message, conversation, actor }) =>
    webhooks.publish(conversation.siteId, {
      type: 'message.created',
      key: `message:${message.id}`,
      data: { message, conversation, actor },
      conversationId: conversation.id,
      seq: message.seq,
    }),
  );
  for (const name of CONVERSATION_EVENTS) {
    events.on(name, (payload) => webhooks.publish(payload.conversation.siteId, conversationEvent(name, payload.conversation, published(payload))));
  }
  events.on('conversation.rated', (payload) =>
    webhooks.publish(payload.conversation.siteId, { ...conversationEvent('conversation.rated', payload.conversation, payload), type: 'rating.created' }),
  );
  // A visitor's changes have no natural id; each event is emitted once, so a fresh key delivers it once.
  events.on('visitor.identified', (payload) =>
    webhooks.publish(payload.visitor.siteId, { type: 'visitor.identified', key: `visitor:${newId()}`, data: payload, conversationId: null, seq: 0 }),
  );
  events.on('visitor.updated', (payload) =>
    webhooks.publish(payload.visitor.siteId, { type: 'visitor.updated', key: `visitor:${newId()}`, data: payload, conversationId: null, seq: 0 }),
  );
}

/** An event's payload as receivers get it: whether routing assigned it on arrival is how Parley tells its consoles, not news. */
function published<P extends object>(payload: P): Omit<P, 'onArrival'> {
  if (!('onArrival' in payload)) return payload;
  const { onArrival: _routingDetail, ...rest } = payload;
  return rest;
}

/** A conversation's change is known by the sequence number of the line it wrote (`<conversationId>:<seq>`). */
function conversationEvent(name: keyof EventMap, conversation: ConversationSummaryDTO, data: unknown): PublishedEvent {
  return {
    type: name as PublishedEvent['type'],
    key: `${name}:${conversation.id}:${conversation.lastSeq}`,
    data,
    conversationId: conversation.id,
    seq: conversation.lastSeq,
  };
}
