/** The host page's facts about its visitor (identify, page, attributes): sent in order, kept until the server took them. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FACTS_RETRY_MS, PageFacts, type FactsSender } from '../../../widget/frame/page-facts.ts';
import { AckError } from '../../../client/request.ts';

const PAGE = { pageUrl: 'https://shop.test/cart', pageTitle: 'Cart' };

interface Call {
  fact: 'identify' | 'context' | 'attributes';
  value: unknown;
  answered: boolean;
  answer(outcome: 'ok' | AckError['code']): void;
}

/** Lets the promise chains the answer started run to their next wait. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** A server that answers each fact as the test says, one call at a time; `refusals` records what it refused for good. */
function harness() {
  const calls: Call[] = [];
  const refusals: { fact: string; code: string }[] = [];
  const call = (fact: Call['fact']) => (value: unknown) =>
    new Promise<void>((resolve, reject) => {
      calls.push({
        fact,
        value,
        answered: false,
        answer: (outcome) => (outcome === 'ok' ? resolve() : reject(new AckError({ code: outcome, message: outcome }))),
      });
    });
  const sender: FactsSender = {
    identify: call('identify'),
    context: call('context'),
    attributes: call('attributes'),
    refused: (fact, error) => refusals.push({ fact, code: error.code }),
  };
  const facts = new PageFacts(sender, PAGE);
  /** Answers the one call in flight and lets the facts go on. */
  const answer = async (outcome: 'ok' | AckError['code'] = 'ok') => {
    const inFlight = calls.filter((c) => !c.answered);
    expect(inFlight).toHaveLength(1);
    inFlight[0]!.answered = true;
    inFlight[0]!.answer(outcome);
    await settle();
  };
  const sent = () => calls.map((c) => c.fact);
  return { facts, calls, refusals, answer, sent };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('PageFacts', () => {
  it('sends nothing before the socket is online, then identity, page and attributes, one at a time', async () => {
    const { facts, calls, answer, sent } = harness();
    facts.setAttributes({ plan: 'pro' });
    facts.identify({ id: 'u1', name: 'Ada' });
    expect(sent()).toEqual([]);

    facts.online();
    expect(sent()).toEqual(['identify']);
    await answer();
    expect(sent()).toEqual(['identify', 'context']);
    expect(calls[1]!.value).toEqual(PAGE);
    await answer();
    expect(sent()).toEqual(['identify', 'context', 'attributes']);
    await answer();
    expect(calls.map((c) => c.value)).toEqual([{ id: 'u1', name: 'Ada' }, PAGE, { plan: 'pro' }]);
  });

  it('merges attributes set in several calls, the latest value of a key winning', async () => {
    const { facts, calls, answer } = harness();
    facts.setAttributes({ plan: 'free', seats: 1 });
    facts.setAttributes({ plan: 'pro', team: 'blue' });
    facts.online();
    await answer(); // the page
    expect(calls.at(-1)!.value).toEqual({ plan: 'pro', seats: 1, team: 'blue' });
    await answer();
    expect(calls).toHaveLength(2);
  });

  it('keeps a fact that got no answer and sends it again on the next connect, under what was set meanwhile', async () => {
    const { facts, calls, answer, sent } = harness();
    facts.online();
    await answer(); // the page
    facts.setAttributes({ plan: 'free', seats: 1 });
    facts.offline();
    await answer('TIMEOUT');
    facts.setAttributes({ plan: 'pro' });
    expect(sent()).toEqual(['context', 'attributes']);

    facts.online();
    expect(calls.at(-1)!.value).toEqual({ plan: 'pro', seats: 1 });
    await answer();
    expect(sent()).toEqual(['context', 'attributes', 'attributes']);
  });

  it('waits for the next connect after a transient failure, even for the page', async () => {
    const { facts, answer, sent } = harness();
    facts.online();
    facts.offline();
    await answer('TIMEOUT');
    expect(sent()).toEqual(['context']);
    facts.online();
    expect(sent()).toEqual(['context', 'context']);
    await answer();
  });

  it('tries again after a pause when the server was busy while connected', async () => {
    vi.useFakeTimers();
    const { facts, answer, sent } = harness();
    facts.identify({ id: 'u1' });
    facts.online();
    await answer('UNAVAILABLE');
    expect(sent()).toEqual(['identify']);
    await vi.advanceTimersByTimeAsync(FACTS_RETRY_MS - 1);
    expect(sent()).toEqual(['identify']);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent()).toEqual(['identify', 'identify']);
    await answer();
    expect(sent()).toEqual(['identify', 'identify', 'context']);
  });

  it('reports a refusal once and goes on with the next fact', async () => {
    const { facts, refusals, answer, sent } = harness();
    facts.identify({ id: 'u1', hash: 'bad' });
    facts.setAttributes({ plan: 'pro' });
    facts.online();
    await answer('FORBIDDEN');
    expect(refusals).toEqual([{ fact: 'identify', code: 'FORBIDDEN' }]);
    await answer(); // the page
    await answer('BAD_REQUEST');
    expect(refusals).toEqual([
      { fact: 'identify', code: 'FORBIDDEN' },
      { fact: 'attributes', code: 'BAD_REQUEST' },
    ]);
    facts.offline();
    facts.online();
    expect(sent()).toEqual(['identify', 'context', 'attributes']);
  });

  it('sends an identify made while attributes are on their way before anything else waiting', async () => {
    const { facts, answer, sent } = harness();
    facts.online();
    await answer(); // the page
    facts.setAttributes({ plan: 'pro' });
    facts.identify({ id: 'u2' });
    facts.setAttributes({ seats: 3 });
    expect(sent()).toEqual(['context', 'attributes']);
    await answer();
    expect(sent()).toEqual(['context', 'attributes', 'identify']);
    await answer();
    expect(sent()).toEqual(['context', 'attributes', 'identify', 'attributes']);
  });

  it('stops when the connection drops during a send (identify switching users reconnects) and goes on once back', async () => {
    const { facts, answer, sent } = harness();
    facts.identify({ id: 'u1', hash: 'good' });
    facts.setAttributes({ plan: 'pro' });
    facts.online();
    facts.offline();
    await answer();
    expect(sent()).toEqual(['identify']);
    facts.online();
    expect(sent()).toEqual(['identify', 'context']);
    await answer();
    await answer();
    expect(sent()).toEqual(['identify', 'context', 'attributes']);
  });
});
