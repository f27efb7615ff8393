/**
 * The AI bot end to end: a real Parley, an `openai` bot created through the admin API and pointing at a scripted
 * OpenAI-compatible server on loopback, and articles in the real knowledge base (FTS5 / tsvector). What the visitor
 * sees, what is stored, what the model is shown, and how each failure hands the conversation to people.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../server/contract/admin.ts';
import type { BotDTO } from '../../server/contract/bots.ts';
import type { MessageDTO, SystemEvent } from '../../server/contract/dto.ts';
import type { SendResult, TypingEvent } from '../../server/contract/events.ts';
import type { ArticleDTO, ArticleRequest, EvalReportDTO } from '../../server/contract/knowledge-base.ts';
import { ADMIN, backends, clientId, connectVisitor, login, ok, record, useSharedServer, type TestServer } from '../support/parley.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';

const SHIPPING: ArticleRequest = { slug: 'shipping-times', title: 'Shipping times', body: 'Parcels to Spain arrive within 4 working days.', tags: ['shipping'], published: true };
const RETURNS: ArticleRequest = { slug: 'returns', title: 'Returns', body: 'Send a parcel back within 30 days for a refund.', tags: ['returns'], published: true };
/** Words that must never reach the model: a draft of this site, and another site's article, both about shipping. */
const DRAFT: ArticleRequest = { slug: 'shipping-draft', title: 'Shipping draft', body: 'Parcels to Spain: ZANZIBARDRAFT secret rates.', tags: [], published: false };
const OTHER_SITE: ArticleRequest = { slug: 'shipping-times', title: 'Shipping times', body: 'Parcels to Spain arrive in 2 days. QUOKKAOTHERSITE', tags: [], published: true };

describe.each(backends)('AI bot on %s', (backend) => {
  let server: TestServer;
  let fake: FakeOpenAi;
  useSharedServer((started) => (server = started), backend);
  beforeAll(async () => (fake = await startFakeOpenAi()));
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.script.length = 0;
  });

  async function adminFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    const res = await fetch(`${server.url}/api/admin${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return (await res.json()) as T;
  }

  /** Articles in this test's site (and another site's, to prove it never leaks), then the bot through the admin API. */
  async function aiBot(timeoutMs = 10_000): Promise<{ bot: BotDTO; shipping: ArticleDTO }> {
    const siteId = server.site.id;
    const shipping = await server.parley.knowledgeBase.create(siteId, SHIPPING);
    await server.parley.knowledgeBase.create(siteId, RETURNS);
    await server.parley.knowledgeBase.create(siteId, DRAFT);
    const other = await server.parley.admin.createSite({ name: 'Other shop', origins: ['https://other.example.com'] });
    await server.parley.knowledgeBase.create(other.id, OTHER_SITE);
    const bot = await adminFetch<BotDTO>(`/sites/${siteId}/bots`, {
      method: 'POST',
      body: { name: 'Sam', kind: 'openai', timeoutMs, config: { baseUrl: fake.baseUrl, model: 'llama3.2:3b', systemPrompt: 'You are Sam from the shop.' } },
    });
    return { bot, shipping };
  }

  async function visitorAsks(body: string) {
    const visitor = await connectVisitor(server);
    const typing = record<TypingEvent>(visitor.socket, 'typing');
    const messages = record<MessageDTO>(visitor.socket, 'message:new');
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body });
    return { visitor, sent, typing, messages, conversationId: sent.conversation.id };
  }

  const history = async (conversationId: string) =>
    (await server.parley.store.conversations.history(conversationId, { limit: 50, includeNotes: false, afterSeq: 0 })).messages;

  /** The reason of the conversation's handoff, once there is one. */
  async function handedOff(conversationId: string, timeout = 5000): Promise<Extract<SystemEvent, { type: 'handed_off' }>> {
    let event: SystemEvent | undefined;
    await expect
      .poll(async () => (event = (await history(conversationId)).map((m) => m.system).find((s) => s?.type === 'handed_off')), { timeout, interval: 50 })
      .toBeDefined();
    return event as Extract<SystemEvent, { type: 'handed_off' }>;
  }

  it('streams the answer as the bot typing, stores one message citing the article, and shows the model only this conversation and published articles of this site', async () => {
    const { bot, shipping } = await aiBot();
    // Another visitor's conversation first: its words must not reach this conversation's prompt.
    fake.script.push({ reply: 'Send it back within 30 days [1].', usage: { prompt: 100, completion: 10 } });
    const neighbour = await visitorAsks('PELICANNEIGHBOUR here: how do I send a parcel back for a refund?');
    await expect.poll(() => neighbour.messages.some((m) => m.authorKind === 'agent'), { timeout: 5000 }).toBe(true);
    fake.requests.length = 0;

    fake.script.push({ reply: 'Parcels to Spain arrive within 4 working days [1].', pieceDelayMs: 20, usage: { prompt: 412, completion: 23 } });
    const { conversationId, typing, messages } = await visitorAsks('How long does shipping to Spain take?');
    await expect.poll(() => messages.find((m) => m.authorKind === 'agent'), { timeout: 5000 }).toBeDefined();
    const reply = messages.find((m) => m.authorKind === 'agent')!;
    expect(reply).toMatchObject({ authorId: bot.agentId, authorName: 'Sam' });
    expect(reply.body).toBe(`Parcels to Spain arrive within 4 working days [1].\n\n- [Shipping times](${shipping.url})`);
    expect(shipping.url).toMatch(new RegExp(`/kb/${server.site.publicKey}/shipping-times$`));
    // Typing while the answer streamed, stopped before the one stored message.
    expect(typing.map((e) => e.typing)).toEqual([true, false]);
    expect(typing[0]).toMatchObject({ conversationId, name: 'Sam' });
    expect((await history(conversationId)).filter((m) => m.authorKind === 'agent')).toHaveLength(1);

    // The prompt: this conversation and this site's published articles, nothing else.
    expect(fake.requests).toHaveLength(1);
    const prompt = JSON.stringify(fake.requests[0]!.body.messages);
    expect(prompt).toContain('How long does shipping to Spain take?');
    expect(prompt).toContain('within 4 working days');
    expect(prompt).not.toContain('ZANZIBARDRAFT');
    expect(prompt).not.toContain('QUOKKAOTHERSITE');
    expect(prompt).not.toContain('PELICANNEIGHBOUR');
    expect(fake.requests[0]!.body).toMatchObject({ model: 'llama3.2:3b', stream: true });

    // Both answers' tokens and latency (their BotTurn rows), as the admin report shows them.
    const day = new Date().toISOString().slice(0, 10);
    const report = await adminFetch<Report>(`/reports?from=${day}&to=${day}&groupBy=day&tz=UTC&siteId=${server.site.id}`);
    expect(report.bots.answers).toMatchObject({ count: 2, promptTokens: 100 + 412, completionTokens: 10 + 23 });
    expect(report.bots.answers.averageLatencyMs).toBeGreaterThan(0);
  });

  it('a question no article covers goes to people as not-covered without asking the model', async () => {
    await aiBot();
    const { conversationId, messages, sent } = await visitorAsks('Do you sell gift vouchers?');
    expect((await handedOff(conversationId)).reason).toBe('not-covered');
    expect(fake.requests).toHaveLength(0);
    expect(messages.filter((m) => m.authorKind === 'agent')).toEqual([]);
    // Back in the queue at the visitor's place: the time they first asked, not the handoff's.
    const conversation = await server.parley.store.conversations.findById(conversationId);
    expect(conversation).toMatchObject({ status: 'queued', assignee: null, queuedAt: sent.conversation.queuedAt });
  });

  it('the model calling the handoff tool gives the conversation to people', async () => {
    await aiBot();
    fake.script.push({ handoff: 'the visitor wants a custom quote' });
    const { conversationId, messages } = await visitorAsks('How much is shipping to Spain for a piano?');
    expect((await handedOff(conversationId)).reason).toBe('bot-asked');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body.tools?.map((t) => t.function.name)).toEqual(['handoff']);
    expect(messages.filter((m) => m.authorKind === 'agent')).toEqual([]);
  });

  it('a stalled model hands off as timeout within the bot\'s timeout', async () => {
    await aiBot(1500);
    fake.script.push('stall');
    const { conversationId } = await visitorAsks('How long does shipping to Spain take?');
    // The bound is the bot's timeout plus the job worker's polling, not a measure of speed.
    expect((await handedOff(conversationId, 1500 + 3000)).reason).toBe('timeout');
    expect((await history(conversationId)).filter((m) => m.authorKind === 'agent')).toEqual([]);
  });

  it('a model server error hands off as error, and nothing half-written reaches the visitor', async () => {
    await aiBot();
    fake.script.push({ status: 500, body: 'model crashed' });
    const { conversationId, messages } = await visitorAsks('How long does shipping to Spain take?');
    expect((await handedOff(conversationId)).reason).toBe('error');
    expect(messages.filter((m) => m.authorKind === 'agent')).toEqual([]);
    const day = new Date().toISOString().slice(0, 10);
    const report = await adminFetch<Report>(`/reports?from=${day}&to=${day}&groupBy=day&tz=UTC&siteId=${server.site.id}`);
    expect(report.bots.handoffsByReason.find((h) => h.reason === 'error')?.count).toBe(1);
    expect(report.bots.answers.count).toBe(0);
  });

  it('a reply still streaming when the visitor asks for a person is refused: nothing from the bot after the handoff', async () => {
    await aiBot();
    fake.script.push({ reply: 'Parcels to Spain arrive within 4 working days [1].', pieceDelayMs: 150 });
    const { visitor, sent, conversationId, typing, messages } = await visitorAsks('How long does shipping to Spain take?');
    await expect.poll(() => typing.some((e) => e.typing), { timeout: 5000 }).toBe(true);
    await ok(visitor.socket, 'conversation:handoff', { conversationId });
    // The model finishes; the bot's send meets the guard that refuses a former holder, and the turn is recorded.
    await expect.poll(() => server.parley.store.bots.hasTurn(sent.message.id), { timeout: 5000 }).toBe(true);
    expect((await handedOff(conversationId)).reason).toBe('visitor-asked');
    expect((await history(conversationId)).filter((m) => m.authorKind === 'agent')).toEqual([]);
    expect(messages.filter((m) => m.authorKind === 'agent')).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it('the evaluation asks the AI bot each question: answered citing the expected article, or handed off and why', async () => {
    const siteId = server.site.id;
    const before = await adminFetch<EvalReportDTO>(`/sites/${siteId}/kb/eval/run`, { method: 'POST' });
    expect(before).toEqual({ topK: 3, rows: [], hitRate: 0 });
    const { bot } = await aiBot();
    await adminFetch(`/sites/${siteId}/kb/eval`, { method: 'POST', body: { question: 'How long does shipping to Spain take?', articleSlug: 'shipping-times' } });
    await adminFetch(`/sites/${siteId}/kb/eval`, { method: 'POST', body: { question: 'How do I get a refund?', articleSlug: 'returns' } });
    await adminFetch(`/sites/${siteId}/kb/eval`, { method: 'POST', body: { question: 'Do you sell gift vouchers?', articleSlug: 'returns' } });
    fake.script.push({ reply: 'About 4 working days [1].', usage: { prompt: 300, completion: 8 } }, { handoff: 'refunds need a person' });

    const report = await adminFetch<EvalReportDTO>(`/sites/${siteId}/kb/eval/run`, { method: 'POST' });
    expect(report.rows.map((r) => [r.hit, r.ai])).toEqual([
      [true, { outcome: 'answered', citedExpected: true, latencyMs: expect.any(Number) }],
      [true, { outcome: 'handed-off', handoffReason: 'bot-asked', citedExpected: false, latencyMs: expect.any(Number) }],
      [false, { outcome: 'handed-off', handoffReason: 'not-covered', citedExpected: false, latencyMs: expect.any(Number) }],
    ]);
    expect(report.ai).toEqual({ botId: bot.id, botName: 'Sam', answered: 1, handedOff: 2, citedExpected: 1, promptTokens: 300 + 321, completionTokens: 8 + 12 });
    // Two model calls: the uncovered question never reached it. No conversation was made or counted.
    expect(fake.requests).toHaveLength(2);
    const day = new Date().toISOString().slice(0, 10);
    const counted = await adminFetch<Report>(`/reports?from=${day}&to=${day}&groupBy=day&tz=UTC&siteId=${siteId}`);
    expect(counted.totals.conversations).toBe(0);
    expect(counted.bots.answers.count).toBe(0);

    // Disabled, the bot is not asked: the run is retrieval only.
    await adminFetch(`/sites/${siteId}/bots/${bot.id}`, { method: 'PATCH', body: { enabled: false } });
    const retrievalOnly = await adminFetch<EvalReportDTO>(`/sites/${siteId}/kb/eval/run`, { method: 'POST' });
    expect(retrievalOnly.ai).toBeUndefined();
    expect(retrievalOnly.rows.every((r) => r.ai === undefined)).toBe(true);
    expect(fake.requests).toHaveLength(2);
  });
});
