/**
 * The retrieval evaluation: admins keep questions, each with the article that should answer it; a run searches
 * each question as a visitor would and reports whether that article is among the top EVAL_TOP_K.
 * `retrievalRows` is the extension point for other evaluators (the AI bot adds answered vs handed off per row).
 */
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
    const rows = (await this.retrievalRows(siteId)).map(({ row }) => row);
    const hits = rows.filter((row) => row.hit).length;
    return { topK: EVAL_TOP_K, rows, hitRate: rows.length ? hits / rows.length : 0 };
  }
}

function toDTO(record: EvalQuestionRecord): EvalQuestionDTO {
  const { id, siteId, question, articleId, articleSlug } = record;
  return { id, siteId, question, articleId, articleSlug };
}
