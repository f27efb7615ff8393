/** What the knowledge-base use cases need from the database (server/db/knowledge-base.ts). */
import type { ArticleDTO } from '../../contract/knowledge-base.ts';

/** The article as the API shows it, less its public URL (made from the site's key when answered), with a real date. */
export interface ArticleRecord extends Omit<ArticleDTO, 'updatedAt' | 'url'> {
  updatedAt: Date;
}

export type ArticleFields = Omit<ArticleRecord, 'id' | 'siteId' | 'updatedAt'>;

export interface EvalQuestionRecord {
  id: string;
  siteId: string;
  question: string;
  articleId: string;
  articleSlug: string;
}

export interface KnowledgeBaseStore {
  list(siteId: string): Promise<ArticleRecord[]>;
  findById(id: string): Promise<ArticleRecord | null>;
  findBySlug(siteId: string, slug: string): Promise<ArticleRecord | null>;
  /** The article and its full-text index entry, in one transaction. A slug the site already has is CONFLICT. */
  create(siteId: string, fields: ArticleFields): Promise<ArticleRecord>;
  update(id: string, fields: ArticleFields): Promise<ArticleRecord | null>;
  delete(id: string): Promise<boolean>;
  /**
   * Published articles of `siteId` matching any of `terms` (already free of query syntax: domain/kb-search-terms.ts),
   * best first, ties by id; `score` higher is better.
   */
  search(siteId: string, terms: string[], limit: number): Promise<{ article: ArticleRecord; score: number }[]>;

  listQuestions(siteId: string): Promise<EvalQuestionRecord[]>;
  addQuestion(siteId: string, question: string, articleId: string): Promise<EvalQuestionRecord>;
  deleteQuestion(siteId: string, id: string): Promise<boolean>;
}
