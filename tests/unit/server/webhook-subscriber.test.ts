/** Domain events as webhook receivers get them: the fact and who caused it, not how Parley's own consoles are told. */
import pino from 'pino';
import { expect, test } from 'vitest';
import { DomainEvents, SYSTEM_ACTOR } from '../../../server/app/events.ts';
import type { PublishedEvent } from '../../../server/app/webhooks.ts';
import type { ConversationSummaryDTO } from '../../../server/contract/dto.ts';
import { subscribeWebhooks } from '../../../server/webhooks/subscriber.ts';

test('publishes an assignment with its conversation, actor and agent, and without whether it came on arrival', () => {
  const events = new DomainEvents(pino({ level: 'silent' }));
  const published: [string, PublishedEvent][] = [];
  subscribeWebhooks(events, { publish: async (siteId, event) => void published.push([siteId, event]) });
  const conversation = { id: 'c1', siteId: 's1', lastSeq: 2 } as ConversationSummaryDTO;

  events.emit('conversation.assigned', { conversation, actor: SYSTEM_ACTOR, agentId: 'a1', onArrival: true });

  expect(published).toEqual([
    ['s1', { type: 'conversation.assigned', key: 'conversation.assigned:c1:2', data: { conversation, actor: SYSTEM_ACTOR, agentId: 'a1' }, conversationId: 'c1', seq: 2 }],
  ]);
});
