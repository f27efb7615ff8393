/**
 * An ArticleSearch over articles held in memory, for bot tests that must not depend on the knowledge base's
 * storage: like the real one it answers only published articles of the site asked for, best first, scored by how
 * many of the query's words each article contains (a title word counts double).
 */
import type { ArticleHit, ArticleSearch } from '../../server/bots/ports.ts';

export interface TestArticle {
  id: string;
  siteId: string;
  slug: string;
  title: string;
  body: string;
  tags: string[];
  status: 'draft' | 'published';
}

export const ARTICLE_ORIGIN = 'https://parley.test';

export class InMemoryArticleSearch implements ArticleSearch {
  /** Every query asked, for tests that check what retrieval was given. */
  readonly queries: { siteId: string; query: string }[] = [];

  constructor(private readonly articles: TestArticle[]) {}

  async search(siteId: string, query: string, limit: number): Promise<ArticleHit[]> {
    this.queries.push({ siteId, query });
    const words = [...new Set(query.toLowerCase().match(/\p{L}{3,}/gu) ?? [])];
    return this.articles
      .filter((article) => article.siteId === siteId && article.status === 'published')
      .map((article) => ({ article, score: score(article, words) }))
      .filter(({ score }) => score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map(({ article, score }) => ({
        id: article.id,
        title: article.title,
        body: article.body,
        tags: article.tags,
        url: `${ARTICLE_ORIGIN}/help/${article.siteId}/${article.slug}`,
        score,
      }));
  }
}

function score(article: TestArticle, words: string[]): number {
  const title = article.title.toLowerCase();
  const text = `${article.body} ${article.tags.join(' ')}`.toLowerCase();
  return words.reduce((sum, word) => sum + (title.includes(word) ? 2 : 0) + (text.includes(word) ? 1 : 0), 0);
}
