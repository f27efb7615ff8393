import { describe, expect, it } from 'vitest';
import { GRACE, T0, agent, codeOf, conv, online, queueIds, setup } from './helpers.ts';

const bot = (capacity = 2) => agent('bot', { capacity, bot: true });

describe('bots in routing', () => {
  it('a new conversation routed to a bot goes to it without waiting, and only while it has room', () => {
    const { engine } = setup();
    engine.upsertAgent(bot(1));
    const first = engine.enqueue({ ...conv('c1', T0), botId: 'bot' });
    expect(first.assigned).toEqual([{ conversationId: 'c1', agentId: 'bot', siteId: 's1', waitedMs: 0 }]);
    engine.enqueue({ ...conv('c2', T0 + 1), botId: 'bot' });
    expect(queueIds(engine)).toEqual(['c2']);
  });

  it('a bot never takes from the queue, counts as no agent online, and has no grace period', () => {
    const { engine, clock } = setup();
    engine.enqueue(conv('waiting', T0));
    engine.upsertAgent(bot());
    engine.connect('bot');
    expect(queueIds(engine)).toEqual(['waiting']);
    expect(engine.agentsOnline('s1')).toBe(false);
    engine.enqueue({ ...conv('held', T0 + 1), botId: 'bot' });
    engine.disconnect('bot');
    clock.advance(GRACE * 2);
    engine.expireDue();
    expect(engine.conversation('held')?.assigneeId).toBe('bot');
  });

  it('handoff puts the conversation back at its queuedAt, ahead of later arrivals', () => {
    const { engine } = setup();
    engine.upsertAgent(bot(1));
    engine.enqueue({ ...conv('asked-bot', T0), botId: 'bot' });
    engine.enqueue(conv('later-1', T0 + 10));
    engine.enqueue(conv('later-2', T0 + 20));
    expect(codeOf(engine.handoff('asked-bot', 'bot'))).toBe('ok');
    expect(queueIds(engine)).toEqual(['asked-bot', 'later-1', 'later-2']);
    // The first person to come online gets it first.
    const d = online(engine, agent('zoe', { capacity: 1 }));
    expect(d.assigned.map((a) => a.conversationId)).toEqual(['asked-bot']);
  });

  it('only the holding bot can hand off; a second handoff is refused', () => {
    const { engine } = setup();
    engine.upsertAgent(bot());
    engine.enqueue({ ...conv('c1', T0), botId: 'bot' });
    expect(codeOf(engine.handoff('c1', 'other'))).toBe('CONFLICT');
    expect(codeOf(engine.handoff('c1', 'bot'))).toBe('ok');
    expect(codeOf(engine.handoff('c1', 'bot'))).toBe('CONFLICT');
  });

  it('an agent takes a conversation over from a bot by claiming it; bots cannot claim or receive transfers', () => {
    const { engine } = setup();
    engine.upsertAgent(bot());
    engine.enqueue({ ...conv('c1', T0), botId: 'bot' });
    online(engine, agent('zoe'));
    const taken = engine.claim('zoe', 'c1');
    expect(taken.ok && taken.fromAgentId).toBe('bot');
    expect(engine.agentLoad('bot')).toBe(0);
    expect(codeOf(engine.claim('bot', 'c1'))).toBe('FORBIDDEN');
    expect(codeOf(engine.transfer('c1', 'bot'))).toBe('AGENT_UNAVAILABLE');
  });

  it('a disabled bot gives its conversations back to the queue', () => {
    const { engine } = setup();
    engine.upsertAgent(bot());
    engine.enqueue({ ...conv('c1', T0), botId: 'bot' });
    const d = engine.upsertAgent({ ...bot(), active: false });
    expect(d.requeued).toEqual([{ conversationId: 'c1', fromAgentId: 'bot', siteId: 's1' }]);
  });
});
