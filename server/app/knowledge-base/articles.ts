/**
 * Knowledge-base use cases shared by the admin API, the console, the CLI, the widget's suggestions, the composer's
 * `/kb` and the bots (it is their ArticleSearch): write, list and delete a site's articles, search its published ones.
 */
import type { ArticleHit, ArticleSearch } from '../../bots/ports.ts';
import type { ArticleDTO, ArticleRequest, ArticleSuggestionDTO } from '../../contract/knowledge-base.ts';
import { searchTerms } from '../../domain/kb-search-terms.ts';
import { notFound } from '../errors.ts';
import type { SiteRecord, SiteStore } from '../ports.ts';
import type { ArticleRecord, KnowledgeBaseStore } from './ports.ts';

export interface KnowledgeBaseDeps {
  sites: SiteStore;
  knowledgeBase: KnowledgeBaseStore;
  /** Parley's public origin (PUBLIC_URL, else where it listens), for article links. */
  baseUrl: () => string;
}

/** The public page of an article. */
function articlePath(siteKey: string, slug: string): string {
  return `/kb/${encodeURIComponent(siteKey)}/${encodeURIComponent(slug)}`;
}

export class KnowledgeBase implements ArticleSearch {
  constructor(private readonly deps: KnowledgeBaseDeps) {}

  async list(siteId: string): Promise<ArticleDTO[]> {
    const site = await this.site(siteId);
    return (await this.deps.knowledgeBase.list(siteId)).map((article) => this.toDTO(site, article));
  }

  async get(siteId: string, articleId: string): Promise<ArticleDTO> {
    const site = await this.site(siteId);
    return this.toDTO(site, await this.article(siteId, articleId));
  }

  async create(siteId: string, input: ArticleRequest): Promise<ArticleDTO> {
    const site = await this.site(siteId);
    return this.toDTO(site, await this.deps.knowledgeBase.create(siteId, input));
  }

  async update(siteId: string, articleId: string, input: ArticleRequest): Promise<ArticleDTO> {
    const site = await this.site(siteId);
    await this.article(siteId, articleId);
    const updated = await this.deps.knowledgeBase.update(articleId, input);
    if (!updated) throw notFound('Article');
    return this.toDTO(site, updated);
  }

  async delete(siteId: string, articleId: string): Promise<void> {
    await this.article(siteId, articleId);
    if (!(await this.deps.knowledgeBase.delete(articleId))) throw notFound('Article');
  }

  async deleteBySlug(siteId: string, slug: string): Promise<void> {
    const article = await this.deps.knowledgeBase.findBySlug(siteId, slug);
    if (!article) throw notFound('Article');
    await this.delete(siteId, article.id);
  }

  /** ArticleSearch: untrusted text in, published articles of that site out, best first. */
  async search(siteId: string, query: string, limit: number): Promise<ArticleHit[]> {
    const site = await this.deps.sites.findById(siteId);
    if (!site) return [];
    const hits = await this.deps.knowledgeBase.search(siteId, searchTerms(query), limit);
    return hits.map(({ article, score }) => ({ id: article.id, title: article.title, body: article.body, tags: article.tags, url: this.url(site, article), score }));
  }

  /** What the widget and the composer list: titles and links only. */
  async suggest(siteId: string, query: string, limit: number): Promise<ArticleSuggestionDTO[]> {
    return (await this.search(siteId, query, limit)).map(({ id, title, url }) => ({ id, title, url }));
  }

  /** A published article by its public address, or null (unknown site or slug, or a draft). */
  async published(siteKey: string, slug: string): Promise<{ site: SiteRecord; article: ArticleRecord } | null> {
    const site = await this.deps.sites.findByKey(siteKey);
    const article = site && (await this.deps.knowledgeBase.findBySlug(site.id, slug));
    return site && article?.published ? { site, article } : null;
  }

  async site(siteId: string): Promise<SiteRecord> {
    const site = await this.deps.sites.findById(siteId);
    if (!site) throw notFound('Site');
    return site;
  }

  private async article(siteId: string, articleId: string): Promise<ArticleRecord> {
    const article = await this.deps.knowledgeBase.findById(articleId);
    if (!article || article.siteId !== siteId) throw notFound('Article');
    return article;
  }

  private url(site: SiteRecord, article: ArticleRecord): string {
    return this.deps.baseUrl() + articlePath(site.publicKey, article.slug);
  }

  private toDTO(site: SiteRecord, article: ArticleRecord): ArticleDTO {
    const { id, siteId, slug, title, body, tags, published, updatedAt } = article;
    return { id, siteId, slug, title, body, tags, published, updatedAt: updatedAt.toISOString(), url: this.url(site, article) };
  }
}
