import { describe, expect, it } from 'vitest';
import { compileRule, firstMatch, MAX_TEXT, unsafePattern } from '../../../server/domain/bot-rules.ts';
import { createRuleBot, RULE_BOT_TEXTS, type RuleBotDeps } from '../../../server/bots/rule-bot.ts';
import type { BotTranscriptLine, BotTurnInput } from '../../../server/bots/ports.ts';
import type { RuleBotConfig } from '../../../server/contract/bots.ts';

describe('rule matching', () => {
  it('keywords match whole words in any order and case', () => {
    const rule = compileRule({ type: 'keyword', match: 'opening hours' });
    expect(rule('What are your HOURS of opening?')).toBe(true);
    expect(rule('hourslong opening')).toBe(false);
    expect(firstMatch([compileRule({ type: 'keyword', match: 'refund' }), rule], 'opening hours?')).toBe(1);
  });

  it.each([
    ['(a+)+$', 'must not repeat a group'],
    ['(a|a)*b', 'must not repeat a group'],
    ['(x)\\1', 'must not use backreferences'],
    ['(?=a)a', 'must not use lookarounds'],
    ['a*b*c*d', 'must have at most 2 repetitions'],
    ['[', 'is not a valid regular expression'],
    ['x'.repeat(201), 'must be 1 to 200 characters'],
  ])('refuses the unsafe pattern %s', (pattern, why) => {
    expect(unsafePattern(pattern)).toContain(why);
    expect(compileRule({ type: 'regex', match: pattern })('aaaa')).toBe(false);
  });

  it('accepts bounded patterns and matches them against the first characters only', () => {
    expect(unsafePattern('order\\s*#?\\d+')).toBeNull();
    expect(unsafePattern('(?<num>[0-9]{4})')).toBeNull();
    const rule = compileRule({ type: 'regex', match: 'order\\s*#?\\d+' });
    expect(rule('Where is Order #1234?')).toBe(true);
    expect(rule(`${'x'.repeat(MAX_TEXT)} order 5`)).toBe(false);
  });
});

function ruleBot(config: RuleBotConfig, over: Partial<RuleBotDeps> = {}) {
  const saved: string[] = [];
  const deps: RuleBotDeps = {
    cannedBody: async (_site, id) => (id === 'c1' ? 'Canned answer' : null),
    siteOpen: async () => true,
    visitorEmail: async () => null,
    saveVisitorEmail: async (_conv, email) => void saved.push(email),
    now: () => 0,
    ...over,
  };
  const bot = createRuleBot(config, deps);
  const ask = (latest: string, earlier: BotTranscriptLine[] = []) => {
    const input: BotTurnInput = { siteId: 's', siteName: 'Shop', conversationId: 'c', transcript: [...earlier, { author: 'visitor', text: latest }], latest };
    return bot.respond(input, { signal: new AbortController().signal, onPartial: () => {} });
  };
  return { ask, saved };
}

describe('rule bot', () => {
  const rules: RuleBotConfig['rules'] = [
    { type: 'keyword', match: 'hours', answer: '9 to 5' },
    { type: 'keyword', match: 'refund', cannedId: 'c1' },
  ];

  it('answers from a rule or a canned response, and hands off what no rule covers', async () => {
    const { ask } = ruleBot({ rules });
    expect(await ask('your hours?')).toMatchObject({ kind: 'reply', text: '9 to 5' });
    expect(await ask('I want a refund')).toMatchObject({ kind: 'reply', text: 'Canned answer' });
    expect(await ask('something else')).toMatchObject({ kind: 'handoff', reason: 'not-covered' });
  });

  it('sends the away message once outside business hours', async () => {
    const { ask } = ruleBot({ rules, awayMessage: 'We are closed.' }, { siteOpen: async () => false });
    expect(await ask('hello')).toMatchObject({ kind: 'reply', text: 'We are closed.' });
    expect(await ask('hello?', [{ author: 'visitor', text: 'hello' }, { author: 'bot', text: 'We are closed.' }])).toMatchObject({ kind: 'handoff' });
  });

  it('collects a valid email on the visitor profile before handing off', async () => {
    const { ask, saved } = ruleBot({ rules, collectEmail: true });
    expect(await ask('a question')).toMatchObject({ kind: 'reply', text: RULE_BOT_TEXTS.emailPrompt });
    const asked: BotTranscriptLine[] = [{ author: 'visitor', text: 'a question' }, { author: 'bot', text: RULE_BOT_TEXTS.emailPrompt }];
    expect(await ask('not an email', asked)).toMatchObject({ kind: 'reply', text: RULE_BOT_TEXTS.emailInvalid });
    expect(await ask(' zoe@example.com ', asked)).toMatchObject({ kind: 'handoff', reason: 'not-covered' });
    expect(saved).toEqual(['zoe@example.com']);
    const askedTwice: BotTranscriptLine[] = [...asked, { author: 'visitor', text: 'nope' }, { author: 'bot', text: RULE_BOT_TEXTS.emailInvalid }];
    expect(await ask('still no', askedTwice)).toMatchObject({ kind: 'handoff' });
    expect(saved).toHaveLength(1);
  });

  it('does not ask for an email the visitor already gave', async () => {
    const { ask } = ruleBot({ rules, collectEmail: true }, { visitorEmail: async () => 'known@example.com' });
    expect(await ask('a question')).toMatchObject({ kind: 'handoff' });
  });
});
