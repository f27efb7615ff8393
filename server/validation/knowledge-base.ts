/** Knowledge-base payloads: articles and evaluation questions from admins, search text from visitors and agents. */
import { z } from 'zod';
import { ARTICLE_LIMITS, type ArticleRequest, type EvalQuestionRequest } from '../contract/knowledge-base.ts';
import { storableText, text } from './primitives.ts';

/** Lower-case words joined by single hyphens: safe in a URL path and as a file name. */
export const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const slug = z.string().max(ARTICLE_LIMITS.slug).regex(SLUG, 'must be lower-case letters, digits and single hyphens');

const tag = text(ARTICLE_LIMITS.tag).regex(/^[^,\[\]\r\n]+$/, 'must be one line without commas or brackets');

export const articleRequest = z.strictObject({
  slug,
  title: text(ARTICLE_LIMITS.title).regex(/^[^\r\n]+$/, 'must be one non-empty line'),
  body: storableText().max(ARTICLE_LIMITS.body),
  tags: z.array(tag).max(ARTICLE_LIMITS.tags),
  published: z.boolean(),
}) satisfies z.ZodType<ArticleRequest>;

export const evalQuestionRequest = z.strictObject({
  question: text(ARTICLE_LIMITS.question).min(1),
  articleSlug: slug,
}) satisfies z.ZodType<EvalQuestionRequest>;

/** Untrusted search text: longer input is refused rather than read (domain/kb-search-terms.ts reads even less). */
export const searchQuery = z.strictObject({
  q: storableText().max(500),
  limit: z.coerce.number().int().min(1).max(10).default(5),
});
