/** evaluateAnswers over the real responder, a scripted model server on loopback and an in-memory knowledge base. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAnswers, type EvaluationQuestion } from '../../server/bots/ai/evaluate.ts';
import { createOpenAiResponder } from '../../server/bots/ai/responder.ts';
import { wallClock } from '../../server/domain/clock.ts';
import { InMemoryArticleSearch, SAMPLE_ARTICLES } from '../support/article-search.ts';
import { DEFAULT_USAGE, startFakeOpenAi, type FakeOpenAi, type RecordedRequest } from '../support/fake-openai.ts';

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  // A model that hands off on "cheque", fails on "broken", and otherwise answers citing whatever was numbered 1.
  fake.fallback = (request: RecordedRequest) => {
    const visitor = request.body.messages.at(-1)!.content.match(/<message from="visitor">\n(.*)\n<\/message>/)![1]!;
    if (visitor.includes('cheque')) return { handoff: 'payment method not covered' };
    if (visitor.includes('broken')) return { status: 500, body: 'model crashed' };
    return { reply: 'Here is what our help centre says [1].' };
  };
});
afterAll(() => fake.close());

const question = (text: string, expectedArticleId: string | null): EvaluationQuestion => ({ siteId: 'site_a', siteName: 'Acme', question: text, expectedArticleId });

const responder = () =>
  createOpenAiResponder({ baseUrl: fake.baseUrl, model: 'qwen2.5:7b', timeoutMs: 5_000 }, new InMemoryArticleSearch(SAMPLE_ARTICLES), {
    clock: wallClock,
    log: { info() {}, warn() {}, error() {} },
  });

describe('answer evaluation', () => {
  it('reports per question whether the bot answered or handed off and whether it cited the expected article', async () => {
    const report = await evaluateAnswers(
      [
        question('How long for a refund?', 'art_refund'),
        question('Shipping to Spain?', 'art_shipping'),
        question('Gift vouchers available?', null),
        question('Can I pay a refund by cheque?', null),
        question('Refund and shipping rules?', 'art_shipping'),
        question('broken refund question', 'art_refund'),
      ],
      responder(),
    );
    expect(report.results.map((r) => [r.outcome, r.handoffReason, r.citations.map((c) => c.articleId), r.citedExpected, r.correct])).toEqual([
      ['answered', undefined, ['art_refund'], true, true],
      ['answered', undefined, ['art_shipping'], true, true],
      ['handed-off', 'not-covered', [], null, true],
      ['handed-off', 'bot-asked', [], null, true],
      // The refund article ranks first here, so the model's [1] is the wrong article.
      ['answered', undefined, ['art_refund'], false, false],
      ['handed-off', 'error', [], false, false],
    ]);
    expect(report.results[0]!.text).toBe('Here is what our help centre says [1].');
    expect(report.results[3]!.detail).toBe('payment method not covered');
    // The model was asked five times (not for the uncovered question), four of them answered with usage.
    expect(fake.requests).toHaveLength(5);
    expect(report).toMatchObject({
      answered: 3,
      handedOff: 3,
      correct: 4,
      citedExpected: 2,
      withExpectedArticle: 4,
      promptTokens: 4 * DEFAULT_USAGE.prompt,
      completionTokens: 4 * DEFAULT_USAGE.completion,
    });
    // Each question is its own conversation: the model never saw an earlier question.
    const lastPrompt = fake.requests.at(-1)!.body.messages.map((m) => m.content).join('\n');
    expect(lastPrompt).not.toContain('How long for a refund?');
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('page closed'));
    await expect(evaluateAnswers([question('How long for a refund?', 'art_refund')], responder(), { signal: controller.signal })).rejects.toThrow('page closed');
  });
});
