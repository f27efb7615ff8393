import { describe, expect, it } from 'vitest';
import type { ConversationDTO, MessageDTO, QueuePositionDTO } from '../../server/contract/dto.ts';
import type { HistoryPage } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { ADMIN, ask, backends, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, next, ok, record, sleep, startServer, useSharedServer, type TestServer } from '../support/parley.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';

describe.each(backends)('on %s', (backend) => {
let server: TestServer;
useSharedServer((started) => (server = started), backend);

describe('a whole conversation', () => {
  it('queues the first message, assigns an online agent, and delivers both ways with sequence numbers', async () => {
    const alice = await createAgent(server, 'alice');
    const agent = await connectAgent(server, alice);
    const visitor = await connectVisitor(server);

    const agentSees = nextAgentHeard(agent.socket, (m) => m.authorKind === 'visitor');
    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Hello, anyone there?' });
    expect(sent.message.seq).toBe(1);
    expect(sent.message.body).toBe('Hello, anyone there?');

    const received = await agentSees;
    expect(received.id).toBe(sent.message.id);
    const conversation = await assigned;
    expect(conversation.assignee).toEqual({ id: agent.agentId, name: 'alice', avatarUrl: null });

    const visitorSees = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.authorKind === 'agent');
    const reply = await ok<SendResult>(agent.socket, 'message:send', {
      conversationId: sent.conversation.id, clientId: clientId(), body: 'Hi! How can I help?',
    });
    const delivered = await visitorSees;
    expect(delivered).toMatchObject({ id: reply.message.id, body: 'Hi! How can I help?', authorName: 'alice' });
    // seq 1 visitor message, 2 the "assigned" system line, 3 the reply
    expect(reply.message.seq).toBe(3);

    const page = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId: sent.conversation.id, afterSeq: 0 });
    expect(page.messages.map((m) => [m.seq, m.authorKind])).toEqual([[1, 'visitor'], [2, 'system'], [3, 'agent']]);
    expect(page.messages[1]!.system).toEqual({ type: 'assigned', agentId: agent.agentId, agentName: 'alice' });

    const stored = await server.parley.store.conversations.findById(sent.conversation.id);
    expect(stored).toMatchObject({ status: 'active', lastSeq: 3 });
    expect(stored!.firstResponseAt).not.toBeNull();

    const resolved = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'resolved');
    await ok(agent.socket, 'conversation:resolve', { conversationId: sent.conversation.id });
    expect((await resolved).resolvedAt).not.toBeNull();
    const late = await ask(visitor.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'one more' });
    expect(late).toMatchObject({ ok: false, error: { code: 'CONVERSATION_RESOLVED' } });
  });

  it('pushes a visitor\'s message to their other tabs and agents, not back to the tab that sent it', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'olivia'));
    const sender = await connectVisitor(server);
    const otherTab = await connectVisitor(server, { token: sender.token });
    const senderHeard = record<MessageDTO>(sender.socket, 'message:new');
    const otherTabHears = next<MessageDTO>(otherTab.socket, 'message:new', (m) => m.authorKind === 'visitor');
    const agentHears = nextAgentHeard(agent.socket, (m) => m.authorKind === 'visitor');
    const sent = await ok<SendResult>(sender.socket, 'message:send', { clientId: clientId(), body: 'from tab one' });
    expect((await otherTabHears).id).toBe(sent.message.id);
    expect((await agentHears).id).toBe(sent.message.id);
    const otherTabHearsReply = next<MessageDTO>(otherTab.socket, 'message:new', (m) => m.body === 'hello both');
    await ok<SendResult>(agent.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'hello both' });
    await otherTabHearsReply;
    await expect.poll(() => senderHeard.some((m) => m.body === 'hello both')).toBe(true);
    await sleep(50); // time for a duplicate to show
    expect(senderHeard.filter((m) => m.authorKind !== 'system').map((m) => m.body)).toEqual(['hello both']);
  });

  it('answers a retried message with the stored one instead of a second message', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'rita'));
    const visitor = await connectVisitor(server);
    const id = clientId();
    const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: id, body: 'only once' });
    const again = await ok<SendResult>(visitor.socket, 'message:send', { clientId: id, body: 'only once' });
    const withConversation = await ok<SendResult>(visitor.socket, 'message:send', { conversationId: first.conversation.id, clientId: id, body: 'only once' });
    expect(again.message.id).toBe(first.message.id);
    expect(withConversation.message.id).toBe(first.message.id);
    // Read back from storage, with its assignee.
    expect(again.conversation).toMatchObject({ id: first.conversation.id, status: 'active', assignee: { id: agent.agentId, name: 'rita' } });
    const page = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId: first.conversation.id });
    expect(page.messages.filter((m) => m.authorKind === 'visitor')).toHaveLength(1);
  });

  it('joins a message sent right after the opening one to its conversation, without waiting for its routing', async () => {
    const visitor = await connectVisitor(server);
    // The opening message's routing is held until the second message is answered: were the second one queued
    // behind that routing (or starting a conversation of its own, routed too), it would never be answered.
    const routing = server.parley.routing;
    let releaseRouting!: () => void;
    const held = new Promise<void>((resolve) => (releaseRouting = resolve));
    const enqueue = routing.enqueue;
    routing.enqueue = async (conversation) => {
      await held;
      return enqueue.call(routing, conversation);
    };
    try {
      const opening = ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'first' });
      const second = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'second, right away' });
      releaseRouting();
      const first = await opening;
      expect(second.conversation.id).toBe(first.conversation.id);
      expect([first.message.seq, second.message.seq]).toEqual([1, 2]);
      expect(await ok<ConversationDTO[]>(visitor.socket, 'conversation:list', {})).toHaveLength(1);
    } finally {
      releaseRouting();
      routing.enqueue = enqueue;
    }
  });

  it('gives a reconnecting client exactly what it missed with afterSeq, and older pages with beforeSeq', async () => {
    const visitor = await connectVisitor(server);
    const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'm1' });
    const conversationId = first.conversation.id;
    for (let i = 2; i <= 7; i++) await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: `m${i}` });
    const missed = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId, afterSeq: 4 });
    expect(missed.messages.map((m) => m.body)).toEqual(['m5', 'm6', 'm7']);
    expect(missed.hasMore).toBe(false);
    const latest = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId, limit: 3 });
    expect(latest.messages.map((m) => m.body)).toEqual(['m5', 'm6', 'm7']);
    expect(latest.hasMore).toBe(true);
    const older = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId, beforeSeq: 5, limit: 3 });
    expect(older.messages.map((m) => m.body)).toEqual(['m2', 'm3', 'm4']);
    expect(older.hasMore).toBe(true);

    // A new socket with the same token (a reload) sees the same conversation.
    const reloaded = await connectVisitor(server, { token: visitor.token });
    const list = await ok<ConversationDTO[]>(reloaded.socket, 'conversation:list', {});
    expect(list.map((c) => c.id)).toContain(conversationId);
  });

  it('tells a waiting visitor at once that no agent is online, keeps the message, and assigns the next agent', async () => {
    const visitor = await connectVisitor(server);
    let told: PromiseLike<QueuePositionDTO> | undefined;
    const position = next<QueuePositionDTO>(visitor.socket, 'queue:position');
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Is anybody there?' });
    expect(await position).toMatchObject({ conversationId: sent.conversation.id, position: 1, agentsOnline: false });
    expect(sent.conversation.status).toBe('queued');
    expect(await server.parley.store.conversations.findById(sent.conversation.id)).toMatchObject({ status: 'queued' });
    // A reload (new connection, same token) is told where it stands at once.
    const reloaded = await connectVisitor(server, { token: visitor.token, beforeConnect: (s) => (told = next<QueuePositionDTO>(s, 'queue:position')) });
    expect(await told!).toMatchObject({ conversationId: sent.conversation.id, position: 1, agentsOnline: false });
    reloaded.socket.disconnect();

    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const bob = await connectAgent(server, await createAgent(server, 'bob'));
    expect((await assigned).assignee?.id).toBe(bob.agentId);
  });

  it('updates queue positions of waiting visitors as the queue moves', async () => {
    const carol = await connectAgent(server, await createAgent(server, 'carol', 1));
    await ok(carol.socket, 'agent:setStatus', { status: 'away' });
    const v1 = await connectVisitor(server);
    const v2 = await connectVisitor(server);
    const c1 = await ok<SendResult>(v1.socket, 'message:send', { clientId: clientId(), body: 'first' });
    const v2Position = next<QueuePositionDTO>(v2.socket, 'queue:position');
    await ok<SendResult>(v2.socket, 'message:send', { clientId: clientId(), body: 'second' });
    expect(await v2Position).toMatchObject({ position: 2 });
    // Carol comes back with capacity 1: v1 is assigned, v2 moves up.
    const movedUp = next<QueuePositionDTO>(v2.socket, 'queue:position', (p) => p.position === 1);
    const v1Assigned = next<ConversationDTO>(v1.socket, 'conversation:updated', (c) => c.status === 'active');
    await ok(carol.socket, 'agent:setStatus', { status: 'online' });
    expect((await v1Assigned).id).toBe(c1.conversation.id);
    expect((await movedUp).agentsOnline).toBe(true);
    await ok(carol.socket, 'conversation:resolve', { conversationId: c1.conversation.id });
  });
});

describe('a burst of first messages', () => {
  it('routes the conversations that arrive while routing is busy together, in one assignment write', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'burst', 10));
    const visitors = await Promise.all([0, 1, 2, 3].map(() => connectVisitor(server)));
    const { routing, store } = server.parley;
    const conversations = store.conversations;
    const writes: number[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    // Every assignment write is counted (by the conversations it assigns); the first is held until all four arrived.
    const counted = <A extends unknown[], R>(write: (...args: A) => Promise<R>, size: (...args: A) => number) =>
      async (...args: A): Promise<R> => {
        writes.push(size(...args));
        if (writes.length === 1) await firstHeld;
        return write.apply(conversations, args);
      };
    const { assign, assignMany } = conversations;
    conversations.assign = counted(assign, () => 1);
    conversations.assignMany = counted(assignMany, (assignments) => assignments.length);
    const enqueue = routing.enqueue;
    let enqueued = 0;
    routing.enqueue = (conversation) => (enqueued++, enqueue.call(routing, conversation));
    try {
      const first = ok<SendResult>(visitors[0]!.socket, 'message:send', { clientId: clientId(), body: 'first of the burst' });
      while (writes.length === 0) await sleep(10);
      const rest = visitors.slice(1).map((v) => ok<SendResult>(v.socket, 'message:send', { clientId: clientId(), body: 'in the burst' }));
      while (enqueued < 4) await sleep(10);
      releaseFirst();
      const sent = await Promise.all([first, ...rest]);
      expect(writes).toEqual([1, 3]);
      expect(sent.map((s) => s.conversation.assignee?.id)).toEqual([agent.agentId, agent.agentId, agent.agentId, agent.agentId]);
    } finally {
      releaseFirst();
      Object.assign(conversations, { assign, assignMany });
      routing.enqueue = enqueue;
    }
  });
});

describe('many first messages at once', () => {
  // More visitors than SQLite allows tables in one join: one lookup for them all must not join per visitor.
  it('starts one conversation per visitor and acks every one', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'crowd', 5));
    const visitors = await Promise.all(Array.from({ length: 120 }, () => connectVisitor(server)));
    const answers = await Promise.all(visitors.map((v) => ask<SendResult>(v.socket, 'message:send', { clientId: clientId(), body: 'all at once' })));
    const failed = answers.flatMap((a) => (a.ok ? [] : [`${a.error.code} ${a.error.message}`]));
    expect(failed, server.logs.filter((l) => l.includes('"level":50')).slice(-3).join('\n')).toEqual([]);
    const sent = answers.map((a) => (a.ok ? a.data : null)!);
    expect(new Set(sent.map((s) => s.conversation.id)).size).toBe(120);
    expect(sent.every((s) => s.message.seq === 1 && s.conversation.visitorId === visitors[sent.indexOf(s)]!.visitorId)).toBe(true);
    await ok(agent.socket, 'agent:setStatus', { status: 'away' });
  });
});

describe('claims, transfers and requeues', () => {
  it('lets exactly one of two agents racing to claim win; the other gets ALREADY_ASSIGNED', async () => {
    const dave = await connectAgent(server, await createAgent(server, 'dave'));
    const erin = await connectAgent(server, await createAgent(server, 'erin'));
    await ok(dave.socket, 'agent:setStatus', { status: 'away' });
    await ok(erin.socket, 'agent:setStatus', { status: 'away' });
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'who takes me?' });
    const claims = await Promise.all([
      ask<ConversationDTO>(dave.socket, 'conversation:claim', { conversationId: sent.conversation.id }),
      ask<ConversationDTO>(erin.socket, 'conversation:claim', { conversationId: sent.conversation.id }),
    ]);
    const winners = claims.filter((c) => c.ok);
    const losers = claims.filter((c) => !c.ok);
    expect(winners).toHaveLength(1);
    expect(losers).toEqual([{ ok: false, error: { code: 'ALREADY_ASSIGNED', message: expect.any(String) } }]);
    const stored = await server.parley.store.conversations.findById(sent.conversation.id);
    expect(stored!.assignee!.id).toBe(winners[0]!.ok && winners[0]!.data.assignee!.id);
  });

  it('transfers to another agent and unassigns back to the queue keeping queuedAt', async () => {
    const frank = await connectAgent(server, await createAgent(server, 'frank'));
    const grace = await connectAgent(server, await createAgent(server, 'grace'));
    await ok(grace.socket, 'agent:setStatus', { status: 'away' });
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'transfer me' });
    expect(sent.conversation.assignee?.id).toBe(frank.agentId);
    const toAway = await ask(frank.socket, 'conversation:transfer', { conversationId: sent.conversation.id, agentId: grace.agentId });
    expect(toAway).toMatchObject({ ok: false, error: { code: 'AGENT_UNAVAILABLE' } });
    await ok(grace.socket, 'agent:setStatus', { status: 'online' });
    const moved = await ok<ConversationDTO>(frank.socket, 'conversation:transfer', { conversationId: sent.conversation.id, agentId: grace.agentId });
    expect(moved.assignee?.id).toBe(grace.agentId);
    const notMine = await ask(frank.socket, 'conversation:unassign', { conversationId: sent.conversation.id });
    expect(notMine).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await ok(frank.socket, 'agent:setStatus', { status: 'away' });
    await ok(grace.socket, 'agent:setStatus', { status: 'away' });
    const back = await ok<ConversationDTO>(grace.socket, 'conversation:unassign', { conversationId: sent.conversation.id });
    expect(back).toMatchObject({ status: 'queued', assignee: null, queuedAt: sent.conversation.queuedAt });
    await ok(grace.socket, 'conversation:claim', { conversationId: sent.conversation.id });
    await ok(grace.socket, 'conversation:resolve', { conversationId: sent.conversation.id });
  });
});

describe('an agent who drops', () => {
  it('keeps their conversations through the grace period, then they are requeued and the visitor is told', async () => {
    const quick = await startServer({ REQUEUE_GRACE_MS: '400' }, backend);
    try {
      const heidi = await connectAgent(quick, await createAgent(quick, 'heidi'));
      const visitor = await connectVisitor(quick);
      const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hello' });
      expect(sent.conversation.assignee?.id).toBe(heidi.agentId);
      const requeueLine = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.system?.type === 'requeued', 5000);
      const position = next<QueuePositionDTO>(visitor.socket, 'queue:position', () => true, 5000);
      const droppedAt = Date.now();
      heidi.socket.disconnect();
      await sleep(150);
      expect(await quick.parley.store.conversations.findById(sent.conversation.id)).toMatchObject({ status: 'active' });
      expect((await requeueLine).system).toEqual({ type: 'requeued', fromAgentId: heidi.agentId, reason: 'agent_left' });
      expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(350);
      expect(await position).toMatchObject({ position: 1, agentsOnline: false });
      expect(await quick.parley.store.conversations.findById(sent.conversation.id)).toMatchObject({
        status: 'queued', assignee: null, queuedAt: sent.conversation.queuedAt,
      });
    } finally {
      closeAllSockets();
      await quick.close();
    }
  });

  it('keeps their conversations when they come back within the grace period', async () => {
    const quick = await startServer({ REQUEUE_GRACE_MS: '600' }, backend);
    try {
      const ivan = await createAgent(quick, 'ivan');
      const first = await connectAgent(quick, ivan);
      const visitor = await connectVisitor(quick);
      const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hello' });
      const lines = record<MessageDTO>(visitor.socket, 'message:new');
      first.socket.disconnect();
      await sleep(200);
      await connectAgent(quick, ivan);
      await sleep(800);
      expect(lines.filter((m) => m.system?.type === 'requeued')).toEqual([]);
      expect(await quick.parley.store.conversations.findById(sent.conversation.id)).toMatchObject({ status: 'active' });
    } finally {
      closeAllSockets();
      await quick.close();
    }
  });
});

describe('the admin from first run', () => {
  it('can sign in with ADMIN_EMAIL / ADMIN_PASSWORD and is not a hard-coded account', async () => {
    const admin = await connectAgent(server, ADMIN);
    expect(admin.session.agent).toMatchObject({ email: ADMIN.email, role: 'admin' });
  });
});
});
