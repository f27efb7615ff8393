/**
 * The AI bot's responder against a real HTTP model server on loopback (scripted) and an in-memory knowledge base:
 * what it answers, what it cites, what the model is shown, and how each failure becomes a handoff.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiResponder, type OpenAiBotConfig, type OpenAiResponderOptions } from '../../server/bots/ai/responder.ts';
import { DEFAULT_CHAT_LIMITS } from '../../server/bots/ai/chat-completions.ts';
import type { ArticleSearch, BotTurnInput, BotTurnResult } from '../../server/bots/ports.ts';
import { ManualClock, wallClock } from '../../server/domain/clock.ts';
import { ARTICLE_ORIGIN, InMemoryArticleSearch, SAMPLE_ARTICLES as ARTICLES } from '../support/article-search.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';

const silentLog = { info() {}, warn() {}, error() {} };

let fake: FakeOpenAi;
let search: InMemoryArticleSearch;
beforeAll(async () => (fake = await startFakeOpenAi()));
afterAll(() => fake.close());
beforeEach(() => {
  fake.refuseTools = false;
  fake.requests.length = 0;
  fake.script.length = 0;
  search = new InMemoryArticleSearch(ARTICLES);
});

const config = (): OpenAiBotConfig => ({
  baseUrl: fake.baseUrl,
  model: 'llama3.2:3b',
  apiKey: null,
  systemPrompt: 'You are Sam from Acme. Be warm and brief.',
  temperature: 0.1,
  maxTokens: 400,
  timeoutMs: 10_000,
});

function responder(overrides: Partial<OpenAiBotConfig> = {}, options: Partial<OpenAiResponderOptions> = {}, articleSearch: ArticleSearch = search) {
  return createOpenAiResponder({ ...config(), ...overrides }, articleSearch, { clock: wallClock, log: silentLog, options: { partialIntervalMs: 0, ...options } });
}

function turn(latest: string, earlier: BotTurnInput['transcript'] = [], conversationId = 'conv_1'): BotTurnInput {
  return { siteId: 'site_a', siteName: 'Acme', conversationId, transcript: [...earlier, { author: 'visitor', text: latest }], latest, locale: 'en' };
}

async function ask(bot: ReturnType<typeof responder>, input: BotTurnInput, signal = new AbortController().signal) {
  const partials: string[] = [];
  const result = await bot.respond(input, { signal, onPartial: (text) => partials.push(text) });
  return { result, partials };
}

const prompt = (i = -1) => fake.requests.at(i)!.body.messages.map((m) => m.content).join('\n');

describe('AI bot responder', () => {
  it('answers from the articles, citing the one it used, with usage and latency', async () => {
    fake.script.push({ reply: 'It arrives in 4 days [2]; see also [7].', usage: { prompt: 412, completion: 23 } });
    const { result } = await ask(responder(), turn('When do refunds and shipping to Spain arrive?'));
    const numbered = [...prompt().matchAll(/<article number="(\d)" title="([^"]+)">/g)].map((m) => m[2]);
    expect(numbered.sort()).toEqual(['Refund policy', 'Shipping times']);
    const second = ARTICLES.find((a) => a.siteId === 'site_a' && a.title === prompt().match(/<article number="2" title="([^"]+)">/)![1])!;
    expect(result).toEqual({
      kind: 'reply',
      text: 'It arrives in 4 days [1]; see also.',
      citations: [{ articleId: second.id, title: second.title, url: `${ARTICLE_ORIGIN}/help/site_a/${second.slug}` }],
      usage: { promptTokens: 412, completionTokens: 23 },
      latencyMs: expect.any(Number),
    });
    const sent = fake.requests.at(-1)!.body;
    expect(sent).toMatchObject({ model: 'llama3.2:3b', stream: true, temperature: 0.1, max_tokens: 400 });
    expect(sent.tools?.map((t) => t.function.name)).toEqual(['handoff']);
  });

  it('cites the right article when the model numbers it as given', async () => {
    fake.script.push({ reply: 'Within 30 days of delivery [1].' });
    const { result } = await ask(responder(), turn('refund deadline?'));
    expect(prompt()).toMatch(/<article number="1" title="Refund policy">/);
    expect(result.kind === 'reply' && result.citations).toEqual([{ articleId: 'art_refund', title: 'Refund policy', url: `${ARTICLE_ORIGIN}/help/site_a/refunds` }]);
  });

  it("shows the model only this site's published articles, this conversation, and the rules", async () => {
    fake.script.push({ reply: 'First answer [1].' }, { reply: 'Second answer [1].' });
    const bot = responder();
    await ask(bot, turn('I want a refund, my order number is ORDER-111', [], 'conv_1'));
    await ask(bot, turn('What about a refund for me?', [{ author: 'visitor', text: 'Hello' }, { author: 'bot', text: 'Hi, how can I help?' }], 'conv_2'));
    const [system, user] = fake.requests.at(-1)!.body.messages;
    expect(system!.content).toContain('You are Sam from Acme. Be warm and brief.');
    expect(system!.content).toContain('Answer only from the numbered articles');
    expect(user!.content).toContain('You can ask for a refund within 30 days');
    expect(user!.content).toContain('Hi, how can I help?');
    for (const foreign of ['ORDER-111', 'First answer', 'DRAFT-ONLY', 'OTHER-SITE']) expect(prompt()).not.toContain(foreign);
    expect(search.queries.every((q) => q.siteId === 'site_a')).toBe(true);
  });

  it('passes the reply on as it is written, each partial extending the last, and stores it once whole', async () => {
    fake.script.push({ reply: 'Orders ship within 2 days [1]. Delivery to Spain takes 4 days [1].', pieceDelayMs: 5 });
    const { result, partials } = await ask(responder(), turn('How long does shipping to Spain take?'));
    expect(partials.length).toBeGreaterThan(5);
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.startsWith(partials[i - 1]!)).toBe(true);
    expect(result.kind === 'reply' && result.text).toBe(partials.at(-1));
  });

  it('throttles partials by the injected clock', async () => {
    fake.script.push({ reply: 'Orders ship within 2 days [1].' });
    const clock = new ManualClock(1_000);
    const bot = createOpenAiResponder(config(), search, { clock, log: silentLog, options: { partialIntervalMs: 150 } });
    const { partials } = await ask(bot, turn('shipping time?'));
    // The clock never moved: only the first piece went out.
    expect(partials).toEqual(['Orders ']);
  });

  it('falls back to the HANDOFF marker, once and for good, when the model server refuses tools', async () => {
    fake.refuseTools = true;
    fake.script.push({ reply: 'Within 30 days [1].' }, { reply: 'HANDOFF', pieces: ['HAND', 'OFF'] });
    const bot = responder();
    const answered = await ask(bot, turn('refund deadline?'));
    expect(answered.result).toMatchObject({ kind: 'reply', text: 'Within 30 days [1].', citations: [{ articleId: 'art_refund' }] });
    expect(fake.requests.map((r) => r.body.tools?.length ?? 0)).toEqual([1, 0]);
    expect(fake.requests[1]!.body.messages[0]!.content).toContain('reply with the single word HANDOFF and nothing else');
    expect(fake.requests[1]!.body.messages[0]!.content).not.toContain('`handoff` tool');
    const handedOff = await ask(bot, turn('Can I pay a refund by cheque?'));
    expect(handedOff.result).toMatchObject({ kind: 'handoff', reason: 'bot-asked', detail: 'the model answered HANDOFF' });
    // Held back: the visitor never sees the marker typed.
    expect(handedOff.partials).toEqual([]);
    expect(fake.requests.map((r) => r.body.tools?.length ?? 0)).toEqual([1, 0, 0]);
  });

  it("hands off when the model calls handoff, with the model's reason and the usage", async () => {
    fake.script.push({ handoff: 'asks about a damaged parcel' });
    const { result } = await ask(responder(), turn('My refund parcel arrived damaged, what now?'));
    expect(result).toMatchObject({ kind: 'handoff', reason: 'bot-asked', detail: 'asks about a damaged parcel', usage: { promptTokens: 321, completionTokens: 12 } });
  });

  it('hands off as not covered without asking the model when no article matches', async () => {
    const { result } = await ask(responder(), turn('Gift vouchers available?'));
    expect(result).toMatchObject({ kind: 'handoff', reason: 'not-covered' });
    expect(fake.requests).toHaveLength(0);
  });

  it('counts only articles scoring above the threshold', async () => {
    const { result } = await ask(responder({}, { minScore: 5 }), turn('refund?'));
    expect(result).toMatchObject({ kind: 'handoff', reason: 'not-covered' });
    expect(fake.requests).toHaveLength(0);
  });

  it("searches with the visitor's earlier message too, when the latest alone finds nothing", async () => {
    fake.script.push({ reply: 'Four days [1].' });
    const { result } = await ask(responder(), turn('and how long does it take?', [{ author: 'visitor', text: 'I live in Spain' }, { author: 'bot', text: 'Noted.' }]));
    expect(result).toMatchObject({ kind: 'reply', citations: [{ articleId: 'art_shipping' }] });
    expect(search.queries.map((q) => q.query)).toEqual(['and how long does it take?', 'I live in Spain and how long does it take?']);
  });

  it.each([
    ['a 500', { status: 500, body: 'CUDA out of memory' } as const, 'error', /^status: answered 500/],
    ['malformed JSON', 'malformed' as const, 'error', /^malformed:/],
    ['an endless stream', 'endless' as const, 'error', /^too-large: reply over 8000 characters/],
    ['a stall between chunks', 'stall' as const, 'timeout', /^idle: no data for 300 ms/],
    ['the wrong content type', 'wrong-content-type' as const, 'error', /^content-type:/],
  ])('hands off after %s', async (_name, completion, reason, detail) => {
    fake.script.push(completion);
    const { result } = await ask(responder({}, { limits: { ...DEFAULT_CHAT_LIMITS, idleTimeoutMs: 300 } }), turn('refund please'));
    expect(result).toMatchObject({ kind: 'handoff', reason });
    expect(result.kind === 'handoff' && result.detail).toMatch(detail);
  });

  it.each([
    ['never begins', { reply: 'Too late.', startDelayMs: 3_000 }],
    ['never completes', { reply: 'Slowly, one word at a time, far too slowly.', pieceDelayMs: 200 }],
  ])("hands off at the bot's timeout when the answer %s", async (_name, completion) => {
    fake.script.push(completion);
    const { result } = await ask(responder({ timeoutMs: 500 }), turn('refund please'));
    expect(result).toMatchObject({ kind: 'handoff', reason: 'timeout', detail: 'no complete answer within 500 ms' });
  });

  it('hands off when the model answers nothing, or is cut at maxTokens', async () => {
    fake.script.push({ reply: '   ' }, { reply: 'You can ask for a refund within', finishReason: 'length' });
    expect((await ask(responder(), turn('refund please'))).result).toMatchObject({ kind: 'handoff', reason: 'error', detail: 'the model gave an empty answer' });
    expect((await ask(responder(), turn('refund please'))).result).toMatchObject({ kind: 'handoff', reason: 'error', detail: 'the answer reached maxTokens before it ended' });
  });

  it('hands off when the model server is down or the knowledge base fails', async () => {
    const down = await ask(responder({ baseUrl: 'http://127.0.0.1:1/v1' }), turn('refund please'));
    expect(down.result).toMatchObject({ kind: 'handoff', reason: 'error' });
    const broken: ArticleSearch = { search: () => Promise.reject(new Error('search index unavailable')) };
    expect((await ask(responder({}, {}, broken), turn('refund please'))).result).toMatchObject({ kind: 'handoff', reason: 'error', detail: 'search index unavailable' });
  });

  it("throws the caller's abort (handed off meanwhile) and reports the runner's own timeout as a timeout", async () => {
    fake.script.push('stall', 'stall');
    const controller = new AbortController();
    const reason = new Error('conversation handed off');
    const bot = responder();
    const pending = bot.respond(turn('refund please'), { signal: controller.signal, onPartial: () => controller.abort(reason) });
    await expect(pending).rejects.toBe(reason);
    const timedOut: BotTurnResult = await bot.respond(turn('refund please'), { signal: AbortSignal.timeout(300), onPartial: () => {} });
    expect(timedOut).toMatchObject({ kind: 'handoff', reason: 'timeout' });
  });
});
