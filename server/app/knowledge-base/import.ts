/**
 * Bulk import of Markdown files (CLI `kb import`): one file per article, its name (without .md) the slug, so a
 * re-import updates the same articles. Front matter gives title, tags and published (default: published).
 */
import type { ArticleRequest } from '../../contract/knowledge-base.ts';
import { FrontMatterError, parseArticleFile } from '../../domain/front-matter.ts';
import { articleRequest } from '../../validation/knowledge-base.ts';
import { validate } from '../../validation/parse.ts';
import type { KnowledgeBase } from './articles.ts';
import type { ArticleRecord, KnowledgeBaseStore } from './ports.ts';

export interface ArticleFile {
  /** The file name, e.g. `reset-password.md`. */
  name: string;
  text: string;
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  /** Files refused (bad front matter, name or fields); the others were still imported. */
  failed: { file: string; message: string }[];
}

export async function importArticles(kb: KnowledgeBase, store: KnowledgeBaseStore, siteId: string, files: ArticleFile[]): Promise<ImportReport> {
  await kb.site(siteId);
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, failed: [] };
  for (const file of files) {
    const request = toRequest(file);
    if ('message' in request) {
      report.failed.push({ file: file.name, message: request.message });
      continue;
    }
    const existing = await store.findBySlug(siteId, request.slug);
    if (!existing) {
      await kb.create(siteId, request);
      report.created++;
    } else if (sameContent(existing, request)) report.unchanged++;
    else {
      await kb.update(siteId, existing.id, request);
      report.updated++;
    }
  }
  return report;
}

function toRequest(file: ArticleFile): ArticleRequest | { message: string } {
  try {
    const { meta, body } = parseArticleFile(file.text);
    const slug = file.name.replace(/\.(md|markdown)$/i, '');
    const checked = validate(articleRequest, { slug, title: meta.title ?? '', body, tags: meta.tags ?? [], published: meta.published ?? true });
    return checked.ok ? checked.data : { message: checked.error.message };
  } catch (error) {
    if (error instanceof FrontMatterError) return { message: error.message };
    throw error;
  }
}

function sameContent(article: ArticleRecord, request: ArticleRequest): boolean {
  return (
    article.title === request.title &&
    article.body === request.body &&
    article.published === request.published &&
    article.tags.length === request.tags.length &&
    article.tags.every((tag, i) => tag === request.tags[i])
  );
}
