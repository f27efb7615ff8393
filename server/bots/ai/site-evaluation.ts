/**
 * The AI half of a site's knowledge-base evaluation: the site's first enabled `openai` bot is asked each question
 * through its real responder (evaluateAnswers), so the run shows how often it would answer, hand off, and cite
 * the expected article. Sites without one get null.
 */
import type { BotRecord, BotStore } from '../../app/bot-store.ts';
import type { BotResponder } from '../ports.ts';
import { evaluateAnswers, type EvaluationQuestion, type EvaluationReport } from './evaluate.ts';

export interface SiteAnswerEvaluation {
  bot: { id: string; name: string };
  report: EvaluationReport;
}

export type SiteAnswerEvaluator = (siteId: string, questions: readonly EvaluationQuestion[]) => Promise<SiteAnswerEvaluation | null>;

export function siteAnswerEvaluator(bots: Pick<BotStore, 'list'>, responderOf: (bot: BotRecord) => BotResponder | null): SiteAnswerEvaluator {
  return async (siteId, questions) => {
    const bot = (await bots.list(siteId)).find((b) => b.kind === 'openai' && b.enabled);
    const responder = bot && responderOf(bot);
    if (!bot || !responder) return null;
    return { bot: { id: bot.id, name: bot.name }, report: await evaluateAnswers(questions, responder) };
  };
}
