/**
 * The retrieval evaluation: admins keep questions, each with the article that should answer it; a run searches
 * each question as a visitor would and reports whether that article is among the top EVAL_TOP_K.
 * When the site has an enabled AI bot, `answers` asks it each question too, and the run adds per question whether it
 * answered, handed off (and why) or cited the expected article.
 */
import type { SiteAnswerEvaluator } from '../../bots/ai/site-evaluation.ts';
import type { ArticleSearch } from '../../bots/ports.ts';
import { EVAL_TOP_K, type EvalQuestionDTO, type EvalQuestionRequest, type EvalReportDTO, type EvalRowDTO } from '../../contract/knowledge-base.ts';
import { AppError, notFound } from '../errors.ts';
import type { KnowledgeBase } from './articles.ts';
import type { EvalQuestionRecord, KnowledgeBaseStore } from './ports.ts';

export class KnowledgeBaseEvaluation {
  constructor(
    private readonly kb: KnowledgeBase,
    private readonly store: KnowledgeBaseStore,
    private readonly search: ArticleSearch,
    /** Asks the site's AI bot, if it has one; without it the run is retrieval only. */
    private readonly answers?: SiteAnswerEvaluator,
  ) {}

  async list(siteId: string): Promise<EvalQuestionDTO[]> {
    await this.kb.site(siteId);
    return (await this.store.listQuestions(siteId)).map(toDTO);
  }

  async add(siteId: string, input: EvalQuestionRequest): Promise<EvalQuestionDTO> {
    await this.kb.site(siteId);
    const article = await this.store.findBySlug(siteId, input.articleSlug);
    if (!article) throw new AppError('BAD_REQUEST', `articleSlug: the site has no article "${input.articleSlug}"`);
    return toDTO(await this.store.addQuestion(siteId, input.question, article.id));
  }

  async delete(siteId: string, questionId: string): Promise<void> {
    if (!(await this.store.deleteQuestion(siteId, questionId))) throw notFound('Question');
  }

  /** One row per question, in the order they were added: what was retrieved and where the expected article ranked. */
  async retrievalRows(siteId: string): Promise<{ question: EvalQuestionRecord; row: EvalRowDTO }[]> {
    await this.kb.site(siteId);
    const questions = await this.store.listQuestions(siteId);
    const slugs = new Map((await this.store.list(siteId)).map((article) => [article.id, article.slug]));
    const rows = [];
    for (const question of questions) {
      const hits = await this.search.search(siteId, question.question, EVAL_TOP_K);
      const index = hits.findIndex((hit) => hit.id === question.articleId);
      const row: EvalRowDTO = {
        questionId: question.id,
        question: question.question,
        expectedSlug: question.articleSlug,
        retrieved: hits.map((hit) => slugs.get(hit.id) ?? hit.id),
        rank: index === -1 ? null : index + 1,
        hit: index !== -1,
      };
      rows.push({ question, row });
    }
    return rows;
  }

  async run(siteId: string): Promise<EvalReportDTO> {
    const retrieved = await this.retrievalRows(siteId);
    const rows = retrieved.map(({ row }) => row);
    const hits = rows.filter((row) => row.hit).length;
    const report: EvalReportDTO = { topK: EVAL_TOP_K, rows, hitRate: rows.length ? hits / rows.length : 0 };
    if (!this.answers || retrieved.length === 0) return report;
    const site = await this.kb.site(siteId);
    const questions = retrieved.map(({ question }) => ({ siteId, siteName: site.name, question: question.question, expectedArticleId: question.articleId }));
    const evaluated = await this.answers(siteId, questions);
    if (!evaluated) return report;
    const { bot, report: answers } = evaluated;
    answers.results.forEach((result, index) => {
      rows[index]!.ai = { outcome: result.outcome, handoffReason: result.handoffReason, citedExpected: result.citedExpected === true, latencyMs: Math.round(result.latencyMs) };
    });
    const { answered, handedOff, citedExpected, promptTokens, completionTokens } = answers;
    return { ...report, ai: { botId: bot.id, botName: bot.name, answered, handedOff, citedExpected, promptTokens, completionTokens } };
  }
}

function toDTO(record: EvalQuestionRecord): EvalQuestionDTO {
  const { id, siteId, question, articleId, articleSlug } = record;
  return { id, siteId, question, articleId, articleSlug };
}
