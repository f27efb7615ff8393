import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../server/contract/dto.ts';
import { GRACE, T0, agent, codeOf, conv, online, queueIds, setup } from './helpers.ts';

describe('queue order', () => {
  it.each([
    { name: 'FIFO by queuedAt', enq: [['c3', 30], ['c1', 10], ['c2', 20]], order: ['c1', 'c2', 'c3'] },
    { name: 'ties by id', enq: [['cb', 10], ['ca', 10], ['cc', 5]], order: ['cc', 'ca', 'cb'] },
    { name: 'arrival order is irrelevant', enq: [['x', 2], ['y', 1], ['w', 2]], order: ['y', 'w', 'x'] },
  ] as const)('$name', ({ enq, order }) => {
    const { engine } = setup();
    for (const [id, at] of enq) engine.enqueue(conv(id, T0 + at));
    expect(queueIds(engine)).toEqual(order);
    expect(engine.queueSnapshot('s1').map((p) => p.position)).toEqual(order.map((_, i) => i + 1));
  });

  it('keeps one queue per site', () => {
    const { engine } = setup();
    engine.enqueue(conv('a', T0, 's1'));
    engine.enqueue(conv('b', T0 + 1, 's2'));
    engine.enqueue(conv('c', T0 + 2, 's1'));
    expect(queueIds(engine, 's1')).toEqual(['a', 'c']);
    expect(queueIds(engine, 's2')).toEqual(['b']);
    expect(engine.queuedSites()).toEqual(['s1', 's2']);
  });

  it('reports each waiting line: its length and its oldest queuedAt, whatever the arrival order', () => {
    const { engine } = setup();
    engine.enqueue(conv('a', T0 + 7, 's1'));
    engine.enqueue(conv('b', T0 + 3, 's1'));
    engine.enqueue(conv('c', T0 + 5, 's2'));
    expect(engine.waitingLines()).toEqual([
      { siteId: 's1', length: 2, oldestQueuedAt: T0 + 3 },
      { siteId: 's2', length: 1, oldestQueuedAt: T0 + 5 },
    ]);
    online(engine, agent('a1', { siteIds: ['s2'], capacity: 1 }));
    expect(engine.waitingLines()).toEqual([{ siteId: 's1', length: 2, oldestQueuedAt: T0 + 3 }]);
  });

  it('an agent serving several sites takes the oldest head across them', () => {
    const { engine } = setup();
    engine.enqueue(conv('late', T0 + 5, 's1'));
    engine.enqueue(conv('early', T0 + 1, 's2'));
    const d = online(engine, agent('admin', { siteIds: 'all', capacity: 1 }));
    expect(d.assigned.map((a) => a.conversationId)).toEqual(['early']);
    expect(d.queueChanged).toEqual(['s1', 's2']);
  });

  it('enqueues several arrivals in one decision, assigned oldest first whatever their arrival order', () => {
    const { engine } = setup();
    online(engine, agent('a1', { capacity: 2 }));
    const d = engine.enqueueAll([conv('c3', T0 + 30), conv('c1', T0 + 10), conv('c2', T0 + 20), conv('c1', T0 + 99)]);
    expect(d.assigned.map((a) => a.conversationId)).toEqual(['c1', 'c2']);
    expect(queueIds(engine)).toEqual(['c3']);
    expect(d.queueChanged).toEqual(['s1']);
  });

  it('enqueue is idempotent', () => {
    const { engine } = setup();
    engine.enqueue(conv('a', T0));
    const d = engine.enqueue(conv('a', T0 + 100));
    expect(d).toEqual({ assigned: [], requeued: [], queueChanged: [] });
    expect(engine.conversation('a')?.queuedAt).toBe(T0);
  });
});

describe('auto-assignment choice', () => {
  // Each case prepares agents A and B, then one new conversation arrives.
  it.each([
    {
      name: 'least busy wins over idle longest',
      prep: ['A gets 1', 'B gets 1', 'B resolves'],
      expected: 'B',
    },
    { name: 'equal load: never assigned beats assigned', prep: ['A gets 1', 'A resolves'], expected: 'B' },
    {
      name: 'equal load: oldest last assignment wins',
      prep: ['A gets 1', 'B gets 1', 'A resolves', 'B resolves'],
      expected: 'A',
    },
    { name: 'never assigned both: earlier online wins', prep: [], expected: 'A' },
    { name: 'never assigned both, B online first', prep: ['A reconnects'], expected: 'B' },
  ])('$name', ({ prep, expected }) => {
    const { clock, engine } = setup();
    online(engine, agent('A'));
    clock.advance(1000);
    online(engine, agent('B'));
    let n = 0;
    const held: Record<string, string[]> = { A: [], B: [] };
    for (const step of prep) {
      clock.advance(1000);
      const [who, verb] = step.split(' ') as [string, string];
      if (verb === 'gets') {
        const id = `p${n++}`;
        // Make the chosen agent the only candidate for a moment.
        const other = who === 'A' ? 'B' : 'A';
        engine.setStatus(other, 'away');
        engine.enqueue(conv(id, clock.now()));
        engine.setStatus(other, 'online');
        held[who]!.push(id);
      } else if (verb === 'resolves') {
        expect(engine.resolve(held[who]!.pop()!).ok).toBe(true);
      } else {
        engine.disconnect(who);
        engine.connect(who);
      }
    }
    clock.advance(1000);
    const d = engine.enqueue(conv('new', clock.now()));
    expect(d.assigned).toEqual([{ conversationId: 'new', agentId: expected, siteId: 's1', waitedMs: 0 }]);
  });

  it('id breaks a complete tie', () => {
    const { engine } = setup();
    engine.upsertAgent(agent('Z'));
    engine.upsertAgent(agent('Y'));
    engine.connect('Z');
    engine.connect('Y');
    expect(engine.enqueue(conv('c', T0)).assigned[0]?.agentId).toBe('Y');
  });

  it.each([
    { name: 'away', patch: { status: 'away' as AgentStatus }, connected: true },
    { name: 'offline', patch: { status: 'offline' as AgentStatus }, connected: true },
    { name: 'disconnected', patch: {}, connected: false },
    { name: 'inactive', patch: { active: false }, connected: true },
    { name: 'other site', patch: { siteIds: ['s2'] }, connected: true },
    { name: 'zero capacity', patch: { capacity: 0 }, connected: true },
  ])('never auto-assigns to an agent who is $name', ({ patch, connected }) => {
    const { engine } = setup();
    engine.upsertAgent(agent('A', patch));
    if (connected) engine.connect('A');
    expect(engine.enqueue(conv('c', T0)).assigned).toEqual([]);
    expect(queueIds(engine)).toEqual(['c']);
  });

  it('respects capacity and leaves the rest waiting in order', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 2 }));
    for (const [i, id] of ['c1', 'c2', 'c3', 'c4'].entries()) engine.enqueue(conv(id, T0 + i));
    expect(engine.agentLoad('A')).toBe(2);
    expect(engine.agentConversations('A')).toEqual(['c1', 'c2']);
    expect(queueIds(engine)).toEqual(['c3', 'c4']);
  });

  it('lowering capacity keeps current chats but takes no new ones', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 3 }));
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0 + 1));
    engine.upsertAgent(agent('A', { capacity: 1 }));
    expect(engine.agentLoad('A')).toBe(2);
    engine.enqueue(conv('c3', T0 + 2));
    expect(engine.resolve('c1').ok).toBe(true);
    expect(queueIds(engine)).toEqual(['c3']);
    const d = engine.resolve('c2');
    expect(d.ok && d.decision.assigned.map((a) => a.conversationId)).toEqual(['c3']);
  });

  it('raising capacity or gaining a site pulls waiting conversations', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 0, siteIds: ['s2'] }));
    engine.enqueue(conv('c1', T0));
    expect(engine.upsertAgent(agent('A', { capacity: 1, siteIds: ['s2'] })).assigned).toEqual([]);
    expect(engine.upsertAgent(agent('A', { capacity: 1, siteIds: ['s1'] })).assigned[0]?.conversationId).toBe('c1');
  });
});

describe('claim', () => {
  function twoAwayAgents() {
    const s = setup();
    for (const id of ['A', 'B']) online(s.engine, agent(id, { status: 'away', capacity: 1 }));
    s.engine.enqueue(conv('c1', T0));
    s.engine.enqueue(conv('c2', T0 + 1));
    return s;
  }

  it('race: exactly one of two claimers wins', () => {
    const { engine } = twoAwayAgents();
    const first = engine.claim('A', 'c1');
    const second = engine.claim('B', 'c1');
    expect(first).toMatchObject({ ok: true, fromAgentId: null });
    expect(codeOf(second)).toBe('ALREADY_ASSIGNED');
    expect(engine.conversation('c1')).toMatchObject({ status: 'active', assigneeId: 'A' });
    expect(queueIds(engine)).toEqual(['c2']);
  });

  it('a retry by the winner is a no-op', () => {
    const { engine } = twoAwayAgents();
    engine.claim('A', 'c1');
    expect(engine.claim('A', 'c1')).toEqual({
      ok: true,
      fromAgentId: 'A',
      decision: { assigned: [], requeued: [], queueChanged: [] },
    });
  });

  it.each([
    { name: 'unknown conversation', setup: () => {}, who: 'A', id: 'nope', code: 'NOT_FOUND' },
    { name: 'unknown agent', setup: () => {}, who: 'X', id: 'c1', code: 'NOT_FOUND' },
    { name: 'resolved conversation', setup: 'resolve', who: 'A', id: 'c1', code: 'NOT_QUEUED' },
    { name: 'over capacity', setup: 'claimOther', who: 'A', id: 'c1', code: 'AGENT_AT_CAPACITY' },
    { name: 'site not served', setup: 'moveSite', who: 'A', id: 'c1', code: 'FORBIDDEN' },
    { name: 'deactivated agent', setup: 'deactivate', who: 'A', id: 'c1', code: 'FORBIDDEN' },
    { name: 'disconnected agent', setup: 'disconnect', who: 'A', id: 'c1', code: 'AGENT_UNAVAILABLE' },
  ])('refuses: $name -> $code', ({ setup: prep, who, id, code }) => {
    const { engine } = twoAwayAgents();
    if (prep === 'resolve') engine.resolve('c1');
    if (prep === 'claimOther') engine.claim('A', 'c2');
    if (prep === 'moveSite') engine.upsertAgent(agent('A', { status: 'away', capacity: 1, siteIds: ['s2'] }));
    if (prep === 'deactivate') engine.upsertAgent(agent('A', { status: 'away', capacity: 1, active: false }));
    if (prep === 'disconnect') engine.disconnect('A');
    const before = queueIds(engine);
    expect(codeOf(engine.claim(who, id))).toBe(code);
    expect(queueIds(engine)).toEqual(before);
  });

  it('away agents may claim any queued one (not only the head); positions move up', () => {
    const { engine } = twoAwayAgents();
    engine.enqueue(conv('c3', T0 + 2));
    const r = engine.claim('B', 'c2');
    expect(r.ok && r.decision.queueChanged).toEqual(['s1']);
    expect(engine.queueSnapshot('s1').map((p) => [p.conversationId, p.position])).toEqual([
      ['c1', 1],
      ['c3', 2],
    ]);
  });
});

describe('assign to a named agent', () => {
  /** A away with room, B away and full (capacity 1, one held), D online for another site: none takes the queue by itself. */
  function team() {
    const s = setup();
    online(s.engine, agent('A', { status: 'away', capacity: 2 }));
    online(s.engine, agent('B', { status: 'away', capacity: 1 }));
    online(s.engine, agent('D', { siteIds: ['s2'] }));
    s.engine.enqueue(conv('held', T0));
    s.engine.claim('B', 'held');
    s.engine.enqueue(conv('c1', T0 + 1));
    s.engine.enqueue(conv('c2', T0 + 2));
    return s;
  }

  it('takes a queued conversation out of its line, to an agent who is away but connected; their grace stands', () => {
    const { engine } = team();
    const r = engine.assign('c2', 'A');
    expect(r).toMatchObject({ ok: true, fromAgentId: null });
    expect(r.ok && r.decision.queueChanged).toEqual(['s1']);
    expect(engine.conversation('c2')).toMatchObject({ status: 'active', assigneeId: 'A' });
    expect(queueIds(engine)).toEqual(['c1']);
    expect(engine.assign('c2', 'A')).toEqual({ ok: true, fromAgentId: 'A', decision: { assigned: [], requeued: [], queueChanged: [] } });
  });

  it.each([
    { name: 'unknown conversation', who: 'A', id: 'nope', code: 'NOT_FOUND' },
    { name: 'unknown agent', who: 'X', id: 'c1', code: 'NOT_FOUND' },
    { name: 'held by another', who: 'A', id: 'held', code: 'ALREADY_ASSIGNED' },
    { name: 'no room', who: 'B', id: 'c1', code: 'AGENT_AT_CAPACITY' },
    { name: 'site not served', who: 'D', id: 'c1', code: 'FORBIDDEN' },
    { name: 'disconnected', who: 'A', id: 'c1', code: 'AGENT_UNAVAILABLE', prep: 'disconnect' },
    { name: 'status offline', who: 'A', id: 'c1', code: 'AGENT_UNAVAILABLE', prep: 'offline' },
    { name: 'deactivated', who: 'A', id: 'c1', code: 'FORBIDDEN', prep: 'deactivate' },
    { name: 'resolved since', who: 'A', id: 'c1', code: 'NOT_QUEUED', prep: 'resolve' },
  ])('refuses: $name -> $code', ({ who, id, code, prep }) => {
    const { engine } = team();
    if (prep === 'disconnect') engine.disconnect('A');
    if (prep === 'offline') engine.setStatus('A', 'offline');
    if (prep === 'deactivate') engine.upsertAgent(agent('A', { status: 'away', active: false }));
    if (prep === 'resolve') engine.resolve('c1');
    const before = queueIds(engine);
    expect(codeOf(engine.assign(id, who))).toBe(code);
    expect(queueIds(engine)).toEqual(before);
  });
});

describe('transfer', () => {
  function held() {
    const s = setup();
    online(s.engine, agent('A', { capacity: 1 }));
    s.engine.enqueue(conv('c1', T0));
    s.engine.enqueue(conv('c2', T0 + 1));
    return s;
  }

  it.each([
    { name: 'target at capacity', target: { capacity: 0 }, connect: true, code: 'AGENT_AT_CAPACITY' },
    { name: 'target away', target: { status: 'away' as AgentStatus }, connect: true, code: 'AGENT_UNAVAILABLE' },
    { name: 'target offline', target: { status: 'offline' as AgentStatus }, connect: true, code: 'AGENT_UNAVAILABLE' },
    { name: 'target disconnected', target: {}, connect: false, code: 'AGENT_UNAVAILABLE' },
    { name: 'target inactive', target: { active: false }, connect: true, code: 'AGENT_UNAVAILABLE' },
    { name: 'target serves another site', target: { siteIds: ['s9'] }, connect: true, code: 'FORBIDDEN' },
  ])('refuses: $name -> $code', ({ target, connect, code }) => {
    const { engine } = held();
    engine.upsertAgent(agent('B', target));
    if (connect) engine.connect('B');
    expect(codeOf(engine.transfer('c1', 'B'))).toBe(code);
    expect(engine.conversation('c1')?.assigneeId).toBe('A');
  });

  it('refuses unknown conversation, unknown target, resolved conversation', () => {
    const { engine } = held();
    expect(codeOf(engine.transfer('zz', 'A'))).toBe('NOT_FOUND');
    expect(codeOf(engine.transfer('c1', 'zz'))).toBe('NOT_FOUND');
    engine.resolve('c1');
    expect(codeOf(engine.transfer('c1', 'A'))).toBe('CONVERSATION_RESOLVED');
  });

  it('moves the chat; the freed capacity pulls the next waiting one', () => {
    const { clock, engine } = setup();
    online(engine, agent('A', { capacity: 1, siteIds: ['s1', 's2'] }));
    online(engine, agent('B', { capacity: 1 }));
    engine.enqueue(conv('c1', T0, 's1')); // A (idle longest by id)
    engine.enqueue(conv('c2', T0 + 1, 's2')); // only A serves s2: waits
    clock.advance(5000);
    const r = engine.transfer('c1', 'B');
    expect(r).toMatchObject({ ok: true, fromAgentId: 'A' });
    expect(r.ok && r.decision.assigned).toEqual([{ conversationId: 'c2', agentId: 'A', siteId: 's2', waitedMs: 5000 }]);
    expect(engine.conversation('c1')).toMatchObject({ assigneeId: 'B', assignedAt: T0 + 5000 });
    expect(engine.transfer('c1', 'B')).toMatchObject({ ok: true, fromAgentId: 'B' }); // retry: no-op
  });

  it('a waiting conversation cannot be pushed onto a full agent', () => {
    const { engine } = held();
    expect(codeOf(engine.transfer('c2', 'A'))).toBe('AGENT_AT_CAPACITY');
  });
});

describe('unassign', () => {
  it('goes back near the front, keeping its queuedAt', () => {
    const { engine } = setup();
    online(engine, agent('A', { status: 'away', capacity: 1 }));
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0 + 10));
    engine.enqueue(conv('c3', T0 + 20));
    engine.claim('A', 'c1');
    expect(queueIds(engine)).toEqual(['c2', 'c3']);
    const r = engine.unassign('c1');
    expect(r).toMatchObject({ ok: true, fromAgentId: 'A', decision: { requeued: [], queueChanged: ['s1'] } });
    expect(queueIds(engine)).toEqual(['c1', 'c2', 'c3']);
    expect(engine.conversation('c1')).toMatchObject({ status: 'queued', queuedAt: T0, assigneeId: null });
  });

  it('prefers another agent over the one who handed it back', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    engine.enqueue(conv('c1', T0));
    online(engine, agent('B', { capacity: 1 }));
    const r = engine.unassign('c1');
    expect(r.ok && r.decision.assigned.map((a) => a.agentId)).toEqual(['B']);
  });

  it('avoids the agent even when the usual tie-break would pick them', () => {
    const { clock, engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    online(engine, agent('B', { capacity: 1 }));
    engine.enqueue(conv('c1', T0)); // A, at T0
    clock.advance(1000);
    engine.enqueue(conv('c2', T0 + 1000)); // B, at T0 + 1 s
    engine.resolve('c2');
    clock.advance(1000);
    // Both idle; A's last assignment is older, so A would win, but A just handed it back.
    const r = engine.unassign('c1');
    expect(r.ok && r.decision.assigned.map((a) => a.agentId)).toEqual(['B']);
  });

  it('still goes back to the same agent when nobody else can take it', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    engine.enqueue(conv('c1', T0));
    const r = engine.unassign('c1');
    expect(r.ok && r.decision.assigned.map((a) => a.agentId)).toEqual(['A']);
  });

  it('refuses a queued, unknown or resolved conversation', () => {
    const { engine } = setup();
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0));
    engine.resolve('c2');
    expect(['c1', 'zz', 'c2'].map((id) => codeOf(engine.unassign(id)))).toEqual([
      'CONFLICT',
      'NOT_FOUND',
      'CONVERSATION_RESOLVED',
    ]);
  });
});

describe('resolve', () => {
  it('frees capacity and pulls the next waiting conversation', () => {
    const { clock, engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0 + 1));
    engine.enqueue(conv('c3', T0 + 2));
    clock.advance(30_000);
    const r = engine.resolve('c1');
    expect(r).toMatchObject({ ok: true, fromAgentId: 'A' });
    expect(r.ok && r.decision.assigned).toEqual([{ conversationId: 'c2', agentId: 'A', siteId: 's1', waitedMs: 30_000 }]);
    expect(queueIds(engine)).toEqual(['c3']);
    expect(engine.conversation('c1')).toBeUndefined();
    expect(codeOf(engine.resolve('c1'))).toBe('CONVERSATION_RESOLVED');
    expect(codeOf(engine.resolve('zz'))).toBe('NOT_FOUND');
  });

  it('can resolve a waiting conversation', () => {
    const { engine } = setup();
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0 + 1));
    const r = engine.resolve('c1');
    expect(r).toMatchObject({ ok: true, fromAgentId: null, decision: { queueChanged: ['s1'] } });
    expect(engine.queueSnapshot('s1')).toMatchObject([{ conversationId: 'c2', position: 1 }]);
  });
});

describe('presence and grace', () => {
  function holding() {
    const s = setup();
    online(s.engine, agent('A', { capacity: 2 }));
    s.engine.enqueue(conv('c1', T0 - 5000));
    s.engine.enqueue(conv('c2', T0 - 4000));
    s.engine.enqueue(conv('c3', T0 - 1000)); // waits
    return s;
  }

  const leaves = [
    { name: 'disconnects', leave: (e: E) => e.disconnect('A'), back: (e: E) => e.connect('A') },
    { name: 'goes away', leave: (e: E) => e.setStatus('A', 'away'), back: (e: E) => e.setStatus('A', 'online') },
    { name: 'goes offline', leave: (e: E) => e.setStatus('A', 'offline'), back: (e: E) => e.setStatus('A', 'online') },
  ];
  type E = ReturnType<typeof setup>['engine'];

  it.each(leaves)('agent who $name keeps chats until the deadline, then they requeue with queuedAt', ({ leave }) => {
    const { clock, engine } = holding();
    clock.advance(1000);
    const d = leave(engine);
    expect(d.requeued).toEqual([]);
    expect(engine.agentLoad('A')).toBe(2);
    expect(engine.nextDeadline()).toBe(T0 + 1000 + GRACE);
    clock.advance(GRACE - 1);
    expect(engine.expireDue().requeued).toEqual([]);
    clock.advance(1);
    const e = engine.expireDue();
    expect(e.requeued).toEqual([
      { conversationId: 'c1', fromAgentId: 'A', siteId: 's1' },
      { conversationId: 'c2', fromAgentId: 'A', siteId: 's1' },
    ]);
    expect(e.queueChanged).toEqual(['s1']);
    expect(queueIds(engine)).toEqual(['c1', 'c2', 'c3']);
    expect(engine.conversation('c1')?.queuedAt).toBe(T0 - 5000);
    expect(engine.nextDeadline()).toBeNull();
  });

  it.each(leaves)('agent who $name and returns within grace keeps everything', ({ leave, back }) => {
    const { clock, engine } = holding();
    leave(engine);
    clock.advance(GRACE - 1);
    const d = back(engine);
    expect(d.requeued).toEqual([]);
    expect(engine.nextDeadline()).toBeNull();
    clock.advance(10 * GRACE);
    expect(engine.expireDue()).toEqual({ assigned: [], requeued: [], queueChanged: [] });
    expect(engine.agentConversations('A')).toEqual(['c1', 'c2']);
  });

  it('requeued chats go straight to another eligible agent in the same decision', () => {
    const { clock, engine } = holding();
    engine.disconnect('A');
    online(engine, agent('B', { capacity: 2 })); // takes c3
    clock.advance(GRACE);
    const d = engine.expireDue();
    expect(d.requeued.map((r) => r.conversationId)).toEqual(['c1', 'c2']);
    expect(d.assigned.map((a) => [a.conversationId, a.agentId])).toEqual([['c1', 'B']]);
    expect(queueIds(engine)).toEqual(['c2']);
  });

  it('an agent without chats sets no timer', () => {
    const { engine } = setup();
    online(engine, agent('A'));
    engine.disconnect('A');
    expect(engine.nextDeadline()).toBeNull();
  });

  it('the earliest of several deadlines is reported, each expires on its own', () => {
    const { clock, engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    online(engine, agent('B', { capacity: 1 }));
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0));
    engine.disconnect('B');
    clock.advance(10);
    engine.disconnect('A');
    expect(engine.nextDeadline()).toBe(T0 + GRACE);
    clock.advance(GRACE - 10);
    expect(engine.expireDue().requeued.map((r) => r.fromAgentId)).toEqual(['B']);
    expect(engine.nextDeadline()).toBe(T0 + 10 + GRACE);
  });

  it.each([
    { name: 'deactivating', act: (e: E) => e.upsertAgent(agent('A', { active: false })) },
    { name: 'removing', act: (e: E) => e.removeAgent('A') },
  ])('$name an agent requeues their chats at once', ({ act }) => {
    const { engine } = holding();
    engine.disconnect('A'); // even during a grace period
    const d = act(engine);
    expect(d.requeued.map((r) => r.conversationId)).toEqual(['c1', 'c2']);
    expect(queueIds(engine)).toEqual(['c1', 'c2', 'c3']);
    expect(engine.nextDeadline()).toBeNull();
  });

  it('a manual claim while away cancels the grace period', () => {
    const { clock, engine } = holding();
    engine.setStatus('A', 'away');
    expect(engine.nextDeadline()).toBe(T0 + GRACE);
    engine.resolve('c1');
    expect(engine.claim('A', 'c3').ok).toBe(true);
    expect(engine.nextDeadline()).toBeNull();
    clock.advance(2 * GRACE);
    expect(engine.expireDue().requeued).toEqual([]);
    expect(engine.agentConversations('A')).toEqual(['c2', 'c3']);
  });

  it('back online pulls waiting conversations at once', () => {
    const { engine } = setup();
    online(engine, agent('A', { status: 'away' }));
    engine.enqueue(conv('c1', T0));
    expect(engine.setStatus('A', 'online').assigned.map((a) => a.conversationId)).toEqual(['c1']);
  });
});

describe('queue snapshot', () => {
  it('says agentsOnline false and no estimate when nobody serving the site is online', () => {
    const { engine } = setup();
    online(engine, agent('other', { siteIds: ['s2'] }));
    online(engine, agent('away', { status: 'away' }));
    engine.enqueue(conv('c1', T0));
    expect(engine.queueSnapshot('s1')).toEqual([
      { conversationId: 'c1', position: 1, estimatedWaitMs: null, agentsOnline: false },
    ]);
  });

  it('agentsOnline flips when a busy agent comes online, and the site is reported', () => {
    const { engine } = setup();
    engine.enqueue(conv('c1', T0));
    const d = online(engine, agent('A', { capacity: 0 }));
    expect(d.queueChanged).toEqual(['s1']);
    expect(engine.queueSnapshot('s1')[0]?.agentsOnline).toBe(true);
  });

  it('ETA is null without history, then position * sum(waits)/sum(entry positions), non-decreasing', () => {
    const { clock, engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    engine.enqueue(conv('c0', T0)); // instant: not a sample
    engine.enqueue(conv('c1', T0)); // enters at position 1
    engine.enqueue(conv('c2', T0)); // position 2
    engine.enqueue(conv('c3', T0)); // position 3
    expect(engine.queueSnapshot('s1').map((p) => p.estimatedWaitMs)).toEqual([null, null, null]);
    clock.advance(60_000);
    engine.resolve('c0'); // c1 waited 60 s from position 1
    clock.advance(120_000);
    const d = engine.resolve('c1'); // c2 waited 180 s from position 2
    expect(d.ok && d.decision.queueChanged).toEqual(['s1']);
    // perSlot = (60 + 180) / (1 + 2) = 80 s
    engine.enqueue(conv('c4', clock.now()));
    expect(engine.queueSnapshot('s1')).toEqual([
      { conversationId: 'c3', position: 1, estimatedWaitMs: 80_000, agentsOnline: true },
      { conversationId: 'c4', position: 2, estimatedWaitMs: 160_000, agentsOnline: true },
    ]);
  });

  it('positions update after an assignment, and the change is reported', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    for (const [i, id] of ['c1', 'c2', 'c3', 'c4'].entries()) engine.enqueue(conv(id, T0 + i));
    expect(queueIds(engine)).toEqual(['c2', 'c3', 'c4']);
    const r = engine.resolve('c1');
    expect(r.ok && r.decision.queueChanged).toEqual(['s1']);
    expect(engine.queueSnapshot('s1').map((p) => [p.conversationId, p.position])).toEqual([
      ['c3', 1],
      ['c4', 2],
    ]);
  });

  it('an unknown site has an empty snapshot', () => {
    const { engine } = setup();
    expect(engine.queueSnapshot('nope')).toEqual([]);
  });
});

describe('rebuild from the database', () => {
  it('loads queued and held chats, grants grace to holders, requeues orphans', () => {
    const { clock, engine } = setup();
    const d = engine.load({
      agents: [agent('A', { capacity: 2 }), agent('gone', { active: false })],
      conversations: [
        { id: 'q2', siteId: 's1', queuedAt: T0 - 100, assigneeId: null, assignedAt: null },
        { id: 'q1', siteId: 's1', queuedAt: T0 - 200, assigneeId: null, assignedAt: null },
        { id: 'h1', siteId: 's1', queuedAt: T0 - 900, assigneeId: 'A', assignedAt: T0 - 800 },
        { id: 'o1', siteId: 's1', queuedAt: T0 - 950, assigneeId: 'gone', assignedAt: T0 - 900 },
        { id: 'o2', siteId: 's1', queuedAt: T0 - 940, assigneeId: 'unknown', assignedAt: T0 - 900 },
      ],
    });
    expect(d.assigned).toEqual([]);
    expect(d.requeued).toEqual([
      { conversationId: 'o1', fromAgentId: 'gone', siteId: 's1' },
      { conversationId: 'o2', fromAgentId: 'unknown', siteId: 's1' },
    ]);
    expect(d.queueChanged).toEqual(['s1']);
    expect(queueIds(engine)).toEqual(['o1', 'o2', 'q1', 'q2']);
    expect(engine.agent('A')).toMatchObject({ connected: false, load: 1, graceDeadline: T0 + GRACE, lastAssignedAt: T0 - 800 });
    clock.advance(1000);
    const back = engine.connect('A');
    expect(back.assigned.map((a) => a.conversationId)).toEqual(['o1']);
    expect(engine.nextDeadline()).toBeNull();
  });

  it('seeds the estimate from recent waits', () => {
    const { engine } = setup();
    engine.load({
      agents: [agent('A', { capacity: 0 })],
      conversations: [{ id: 'q', siteId: 's1', queuedAt: T0, assigneeId: null, assignedAt: null }],
      recentWaits: [{ siteId: 's1', waitedMs: 30_000, position: 1 }],
    });
    engine.connect('A');
    expect(engine.queueSnapshot('s1')[0]?.estimatedWaitMs).toBe(30_000);
  });

  it('sync replaces the belief; forget drops it and frees capacity', () => {
    const { engine } = setup();
    online(engine, agent('A', { capacity: 1 }));
    online(engine, agent('B', { capacity: 1, status: 'away' }));
    engine.enqueue(conv('c1', T0));
    engine.enqueue(conv('c2', T0 + 1));
    // Another writer says c2 is B's.
    engine.sync({ id: 'c2', siteId: 's1', queuedAt: T0 + 1, assigneeId: 'B', assignedAt: T0 + 5 });
    expect(engine.conversation('c2')).toMatchObject({ status: 'active', assigneeId: 'B' });
    expect(engine.agent('B')?.graceDeadline).toBe(T0 + GRACE); // away holder: not stuck forever
    engine.enqueue(conv('c3', T0 + 2));
    const d = engine.forget('c1');
    expect(d.assigned.map((a) => [a.conversationId, a.agentId])).toEqual([['c3', 'A']]);
    expect(engine.conversation('c1')).toBeUndefined();
  });
});
