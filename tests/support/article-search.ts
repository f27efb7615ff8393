/**
 * An ArticleSearch over articles held in memory, for bot tests that must not depend on the knowledge base's
 * storage: like the real one it answers only published articles of the site asked for, best first, scored by how
 * many of the query's words each article contains (a title word counts double).
 */
import type { ArticleRecord } from '../../server/app/knowledge-base/ports.ts';
import type { ArticleHit, ArticleSearch } from '../../server/bots/ports.ts';

/** The knowledge base's own article shape, less the date search never reads. */
export type TestArticle = Omit<ArticleRecord, 'updatedAt'>;

export const ARTICLE_ORIGIN = 'https://parley.test';

/** Two published articles of site_a, a draft of site_a and an article of site_b, each with a marker text to look for. */
export const SAMPLE_ARTICLES: TestArticle[] = [
  { id: 'art_refund', siteId: 'site_a', slug: 'refunds', title: 'Refund policy', body: 'You can ask for a refund within 30 days of delivery. Refunds reach your card in 5 working days.', tags: ['billing'], published: true },
  { id: 'art_shipping', siteId: 'site_a', slug: 'shipping', title: 'Shipping times', body: 'Orders ship within 2 days. Delivery to Spain takes 4 days.', tags: ['delivery'], published: true },
  { id: 'art_draft', siteId: 'site_a', slug: 'price-rise', title: 'Refund changes (draft)', body: 'DRAFT-ONLY: refunds will shrink to 14 days next year.', tags: [], published: false },
  { id: 'art_other', siteId: 'site_b', slug: 'refunds', title: 'Refund policy', body: 'OTHER-SITE: refunds within 90 days, no questions asked.', tags: [], published: true },
];

export class InMemoryArticleSearch implements ArticleSearch {
  /** Every query asked, for tests that check what retrieval was given. */
  readonly queries: { siteId: string; query: string }[] = [];

  constructor(private readonly articles: TestArticle[]) {}

  async search(siteId: string, query: string, limit: number): Promise<ArticleHit[]> {
    this.queries.push({ siteId, query });
    const words = [...new Set(query.toLowerCase().match(/\p{L}{3,}/gu) ?? [])];
    return this.articles
      .filter((article) => article.siteId === siteId && article.published)
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
