/** The knowledge base over HTTP: admin article and evaluation routes, the widget's suggestions, the composer's `/kb`. */
import type { BotReport } from './admin.ts';

export interface ArticleDTO {
  id: string;
  siteId: string;
  slug: string;
  title: string;
  /** Markdown. */
  body: string;
  tags: string[];
  published: boolean;
  /** ISO 8601. */
  updatedAt: string;
  /** The public page (/kb/<siteKey>/<slug>); readable once published. */
  url: string;
}

/** POST /api/admin/sites/:siteId/kb/articles and PATCH …/articles/:id (every field, as the editor sends them). */
export interface ArticleRequest {
  slug: string;
  title: string;
  body: string;
  tags: string[];
  published: boolean;
}

/** A search hit as the widget and the composer show it. */
export interface ArticleSuggestionDTO {
  id: string;
  title: string;
  url: string;
}

export interface EvalQuestionDTO {
  id: string;
  siteId: string;
  question: string;
  articleId: string;
  articleSlug: string;
}

/** POST /api/admin/sites/:siteId/kb/eval (the expected article by slug, as the CLI names it too). */
export interface EvalQuestionRequest {
  question: string;
  articleSlug: string;
}

/** One question of an evaluation run. Other evaluators (the AI bot's answered vs handed off) add their own fields. */
export interface EvalRowDTO {
  questionId: string;
  question: string;
  expectedSlug: string;
  /** Slugs of the top hits, best first. */
  retrieved: string[];
  /** 1-based rank of the expected article among the retrieved, or null. */
  rank: number | null;
  /** The expected article is among the top EVAL_TOP_K. */
  hit: boolean;
  /** What the site's AI bot did with the question, when the site has an enabled `openai` bot. */
  ai?: EvalAiRowDTO;
}

export type EvalAiOutcome = 'answered' | 'handed-off' | 'none';

export interface EvalAiRowDTO {
  outcome: EvalAiOutcome;
  /** Why it handed off. */
  handoffReason?: BotReport['handoffsByReason'][number]['reason'];
  /** Answered citing the expected article. */
  citedExpected: boolean;
  latencyMs: number;
}

/** The AI bot's half of a run: how often it answered vs handed off, and cited the expected article. */
export interface EvalAiReportDTO {
  botId: string;
  botName: string;
  answered: number;
  handedOff: number;
  citedExpected: number;
  promptTokens: number;
  completionTokens: number;
}

export interface EvalReportDTO {
  topK: number;
  rows: EvalRowDTO[];
  /** Hits / questions, 0 when there are no questions. */
  hitRate: number;
  /** Present when the site has an enabled `openai` bot: each question was also asked of it. */
  ai?: EvalAiReportDTO;
}

export const EVAL_TOP_K = 3;

/** Bounds shared by the validators and the console's inputs. */
export const ARTICLE_LIMITS = { slug: 80, title: 200, body: 100_000, tags: 20, tag: 40, question: 500 } as const;
