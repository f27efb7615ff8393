/**
 * The domain events as a subscriber sees them in a running server: each fact once, where it was committed, and
 * the job worker living and dying with the server.
 */
import { describe, expect, it } from 'vitest';
import type { EventMap, EventName } from '../../server/app/events.ts';
import { identityHash } from '../../server/app/visitors.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { backends, clientId, connectAgent, connectVisitor, createAgent, nextAgentMessage, ok, startServer, useSharedServer, type TestServer } from '../support/parley.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';

declare module '../../server/jobs/types.ts' {
  interface JobMap {
    'test.wait-for-stop': { label: string };
  }
}

const EVENT_NAMES: EventName[] = [
  'message.created', 'conversation.queued', 'conversation.assigned', 'conversation.transferred', 'conversation.unassigned',
  'conversation.resolved', 'conversation.reopened', 'conversation.rated', 'visitor.identified', 'visitor.updated', 'agent.status',
];

type Heard = { [E in EventName]: { event: E; payload: EventMap[E] } }[EventName];

/** Every event the server emits, in order, and a way to wait for the next one of a kind. */
function listen(server: TestServer) {
  const heard: Heard[] = [];
  const waiting: { event: EventName; resolve: () => void }[] = [];
  for (const event of EVENT_NAMES) {
    server.parley.events.on(event, (payload) => {
      heard.push({ event, payload } as Heard);
      for (const w of waiting.filter((w) => w.event === event)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    });
  }
  const next = (event: EventName) => new Promise<void>((resolve) => waiting.push({ event, resolve }));
  const named = <E extends EventName>(event: E) => heard.filter((h) => h.event === event).map((h) => h.payload as EventMap[E]);
  return { heard, next, named };
}

describe.each(backends)('on %s', (backend) => {
  describe('domain events', () => {
    let server: TestServer;
    useSharedServer((started) => (server = started), backend);

    it('emits each conversation fact once, a message.created per new message and none for a retry, which is still pushed', async () => {
      const events = listen(server);
      const alice = await connectAgent(server, await createAgent(server, 'alice'));
      const bob = await connectAgent(server, await createAgent(server, 'bob'));
      const step = async (event: EventName, run: () => Promise<unknown>) => {
        const heard = events.next(event);
        await run();
        await heard;
      };
      // Both away: nobody is auto-assigned, so every step below is one agent's doing.
      await step('agent.status', () => ok(alice.socket, 'agent:setStatus', { status: 'away' }));
      await step('agent.status', () => ok(bob.socket, 'agent:setStatus', { status: 'away' }));

      const visitor = await connectVisitor(server);
      const id = clientId();
      const queued = events.next('conversation.queued');
      const pushed = nextAgentHeard(alice.socket, (m) => m.clientId === id);
      const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: id, body: 'hello' });
      await Promise.all([queued, pushed]);
      const conversationId = first.conversation.id;
      expect(events.named('message.created').map((e) => e.message.id)).toEqual([first.message.id]);

      const pushedAgain = nextAgentMessage(alice.socket, (m) => m.id === first.message.id);
      const retry = await ok<SendResult>(visitor.socket, 'message:send', { clientId: id, body: 'hello' });
      expect(retry.message.id).toBe(first.message.id);
      await pushedAgain;
      expect(events.named('message.created')).toHaveLength(1);

      await step('conversation.assigned', () => ok(alice.socket, 'conversation:claim', { conversationId }));
      // Only an online agent takes a transfer; away again, so the unassigned conversation stays in the queue.
      await step('agent.status', () => ok(bob.socket, 'agent:setStatus', { status: 'online' }));
      await step('conversation.transferred', () => ok(alice.socket, 'conversation:transfer', { conversationId, agentId: bob.agentId }));
      await step('agent.status', () => ok(bob.socket, 'agent:setStatus', { status: 'away' }));
      await step('conversation.unassigned', () => ok(bob.socket, 'conversation:unassign', { conversationId }));
      await step('conversation.resolved', () => ok(alice.socket, 'conversation:resolve', { conversationId }));
      await step('conversation.reopened', () => ok(alice.socket, 'conversation:reopen', { conversationId }));
      await step('conversation.resolved', () => ok(alice.socket, 'conversation:resolve', { conversationId }));
      await step('conversation.rated', () => ok(visitor.socket, 'conversation:rate', { conversationId, rating: 5, comment: 'thanks' }));

      const byAlice = { kind: 'agent', agentId: alice.agentId };
      const byBob = { kind: 'agent', agentId: bob.agentId };
      const conversationEvents = events.heard
        .filter((h) => h.event.startsWith('conversation.'))
        .map(({ event, payload }) => {
          const { conversation, ...rest } = payload as EventMap['conversation.queued'];
          expect(conversation.id).toBe(conversationId);
          expect(conversation.siteId).toBe(server.site.id);
          return { event, ...rest };
        });
      expect(conversationEvents).toEqual([
        { event: 'conversation.queued', actor: { kind: 'visitor', visitorId: visitor.visitorId } },
        { event: 'conversation.assigned', actor: byAlice, agentId: alice.agentId, onArrival: false },
        { event: 'conversation.transferred', actor: byAlice, fromAgentId: alice.agentId, toAgentId: bob.agentId },
        { event: 'conversation.unassigned', actor: byBob, fromAgentId: bob.agentId },
        { event: 'conversation.resolved', actor: byAlice },
        { event: 'conversation.reopened', actor: byAlice, agentId: alice.agentId },
        { event: 'conversation.resolved', actor: byAlice },
        { event: 'conversation.rated', actor: { kind: 'visitor', visitorId: visitor.visitorId }, rating: 5, comment: 'thanks' },
      ]);
      // The visitor's message, then each routing decision's system line: one event per stored message.
      const messages = events.named('message.created').map((e) => [e.message.seq, e.message.system?.type ?? e.message.authorKind]);
      expect(messages).toEqual([[1, 'visitor'], [2, 'assigned'], [3, 'transferred'], [4, 'unassigned'], [5, 'resolved'], [6, 'reopened'], [7, 'resolved']]);
      expect(events.named('agent.status').map((e) => [e.agent.id, e.agent.status, e.actor])).toEqual([
        [alice.agentId, 'away', byAlice],
        [bob.agentId, 'away', byBob],
        [bob.agentId, 'online', byBob],
        [bob.agentId, 'away', byBob],
      ]);
    });

    it('emits visitor.updated and visitor.identified once each, with what changed', async () => {
      const events = listen(server);
      const visitor = await connectVisitor(server);
      await ok(visitor.socket, 'visitor:update', { name: 'Vera', attributes: { plan: 'pro' } });
      const hash = identityHash('user-7', server.site.identitySecret);
      await ok(visitor.socket, 'visitor:identify', { userId: 'user-7', email: 'vera@example.com', hash });
      expect(events.heard.map((h) => h.event).filter((e) => e.startsWith('visitor.'))).toEqual(['visitor.updated', 'visitor.identified']);
      const [updated] = events.named('visitor.updated');
      expect(updated!.change).toMatchObject({ id: visitor.visitorId, siteId: server.site.id, name: 'Vera', attributes: { plan: 'pro' } });
      expect(updated!.change).not.toHaveProperty('email');
      const [identified] = events.named('visitor.identified');
      expect(identified).toMatchObject({ previousVisitorId: visitor.visitorId, verified: true, visitor: { externalId: 'user-7', email: 'vera@example.com' } });
    });
  });

  it('starts the job worker with the server and stops it, ending its runs, when the server closes', async () => {
    const server = await startServer({}, backend);
    let ran = (_label: string) => {};
    const running = new Promise<string>((resolve) => (ran = resolve));
    let abortedByStop = false;
    server.parley.jobs.worker.handle(
      'test.wait-for-stop',
      async ({ label }, { signal }) => {
        ran(label);
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        abortedByStop = true;
      },
      { timeoutMs: 3_600_000 },
    );
    expect(await server.parley.jobs.outbox.enqueue('test.wait-for-stop', 'stop-test:1', { label: 'first' })).toBe(true);
    expect(await server.parley.jobs.outbox.enqueue('test.wait-for-stop', 'stop-test:1', { label: 'again' })).toBe(false);
    expect(await running).toBe('first');
    await server.close();
    expect(abortedByStop).toBe(true);
  });
});
