/**
 * Measures a bot on a set of questions an admin expects it to answer (or to pass on): each is asked as the first
 * message of its own conversation, one after the other (a local model server answers one at a time anyway), and
 * each result says whether the bot answered or handed off and whether it cited the article that answers it.
 */
import type { BotCitation, BotResponder, BotTurnResult, BotUsage, HandoffReason } from '../ports.ts';

export interface EvaluationQuestion {
  siteId: string;
  siteName: string;
  question: string;
  locale?: string;
  /** The article that answers it; null when the knowledge base does not, and a person should take it. */
  expectedArticleId: string | null;
}

export interface EvaluationResult {
  question: string;
  outcome: 'answered' | 'handed-off' | 'none';
  handoffReason?: HandoffReason;
  /** Why it handed off, or what failed. */
  detail?: string;
  text?: string;
  citations: BotCitation[];
  /** Answered citing the expected article; null when no article was expected. */
  citedExpected: boolean | null;
  /** Did what was expected: answered citing the expected article, or handed off when none was. */
  correct: boolean;
  latencyMs: number;
  usage?: BotUsage;
}

export interface EvaluationReport {
  results: EvaluationResult[];
  answered: number;
  handedOff: number;
  correct: number;
  /** Of the questions with an expected article, how many answers cited it. */
  citedExpected: number;
  withExpectedArticle: number;
  promptTokens: number;
  completionTokens: number;
}

export interface EvaluationOptions {
  /** Each question's limit, on top of the bot's own timeout. */
  timeoutMs?: number;
  /** Stops the evaluation (the page was closed). */
  signal?: AbortSignal;
}

const DEFAULT_QUESTION_TIMEOUT_MS = 60_000;

export async function evaluateAnswers(questions: readonly EvaluationQuestion[], responder: BotResponder, options: EvaluationOptions = {}): Promise<EvaluationReport> {
  const results: EvaluationResult[] = [];
  for (const [index, question] of questions.entries()) {
    options.signal?.throwIfAborted();
    results.push(await evaluateOne(question, index, responder, options));
  }
  const count = (keep: (result: EvaluationResult) => boolean) => results.filter(keep).length;
  return {
    results,
    answered: count((r) => r.outcome === 'answered'),
    handedOff: count((r) => r.outcome === 'handed-off'),
    correct: count((r) => r.correct),
    citedExpected: count((r) => r.citedExpected === true),
    withExpectedArticle: questions.filter((q) => q.expectedArticleId !== null).length,
    promptTokens: results.reduce((sum, r) => sum + (r.usage?.promptTokens ?? 0), 0),
    completionTokens: results.reduce((sum, r) => sum + (r.usage?.completionTokens ?? 0), 0),
  };
}

async function evaluateOne(question: EvaluationQuestion, index: number, responder: BotResponder, options: EvaluationOptions): Promise<EvaluationResult> {
  const limit = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_QUESTION_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, limit]) : limit;
  const base = { question: question.question, citations: [] as BotCitation[], citedExpected: question.expectedArticleId === null ? null : false };
  let result: BotTurnResult;
  try {
    result = await responder.respond(
      {
        siteId: question.siteId,
        siteName: question.siteName,
        conversationId: `evaluation-${index + 1}`,
        transcript: [{ author: 'visitor', text: question.question }],
        latest: question.question,
        locale: question.locale,
      },
      { signal, onPartial: () => {} },
    );
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    return { ...base, outcome: 'none', detail: (error as Error)?.message ?? String(error), correct: false, latencyMs: 0 };
  }
  if (result.kind === 'none') return { ...base, outcome: 'none', correct: false, latencyMs: 0 };
  if (result.kind === 'handoff') {
    const { reason: handoffReason, detail, usage, latencyMs } = result;
    return { ...base, outcome: 'handed-off', handoffReason, detail, usage, latencyMs, correct: question.expectedArticleId === null };
  }
  const citedExpected = question.expectedArticleId === null ? null : result.citations.some((c) => c.articleId === question.expectedArticleId);
  return {
    ...base,
    outcome: 'answered',
    text: result.text,
    citations: result.citations,
    citedExpected,
    correct: citedExpected === true,
    latencyMs: result.latencyMs,
    usage: result.usage,
  };
}
