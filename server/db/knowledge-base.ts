/**
 * Knowledge-base articles and their full-text index. The index tables are created by hand-written migration SQL
 * (Prisma cannot model them): on SQLite an FTS5 table ranked with bm25, on PostgreSQL a weighted tsvector with a
 * GIN index ranked with ts_rank. Each write updates the article and its index entry in one transaction.
 */
import type { ArticleFields, ArticleRecord, EvalQuestionRecord, KnowledgeBaseStore } from '../app/knowledge-base/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import { AppError } from '../app/errors.ts';
import { fts5Query, websearchQuery } from '../domain/kb-search-terms.ts';
import type { Provider } from '../../prisma/layout.ts';
import { isUniqueViolation } from './errors.ts';
import type { KbArticle, Prisma, PrismaClient } from './generated/sqlite/client.ts';

type Tx = Prisma.TransactionClient;

function toRecord(row: KbArticle): ArticleRecord {
  const tags = Array.isArray(row.tags) ? row.tags.filter((tag): tag is string => typeof tag === 'string') : [];
  return { id: row.id, siteId: row.siteId, slug: row.slug, title: row.title, body: row.body, tags, published: row.published, updatedAt: row.updatedAt };
}

const slugTaken = (slug: string) => new AppError('CONFLICT', `The site already has an article with slug "${slug}"`);

export class PrismaKnowledgeBaseStore implements KnowledgeBaseStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
    private readonly provider: Provider,
  ) {}

  async list(siteId: string): Promise<ArticleRecord[]> {
    return (await this.prisma.kbArticle.findMany({ where: { siteId }, orderBy: [{ title: 'asc' }, { id: 'asc' }] })).map(toRecord);
  }

  async findById(id: string): Promise<ArticleRecord | null> {
    const row = await this.prisma.kbArticle.findUnique({ where: { id } });
    return row ? toRecord(row) : null;
  }

  async findBySlug(siteId: string, slug: string): Promise<ArticleRecord | null> {
    const row = await this.prisma.kbArticle.findUnique({ where: { siteId_slug: { siteId, slug } } });
    return row ? toRecord(row) : null;
  }

  async create(siteId: string, fields: ArticleFields): Promise<ArticleRecord> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.kbArticle.create({ data: { id: this.newId(), siteId, ...fields } });
        await this.index(tx, row);
        return toRecord(row);
      });
    } catch (error) {
      throw isUniqueViolation(error) ? slugTaken(fields.slug) : error;
    }
  }

  async update(id: string, fields: ArticleFields): Promise<ArticleRecord | null> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const { count } = await tx.kbArticle.updateMany({ where: { id }, data: fields });
        if (count === 0) return null;
        const row = await tx.kbArticle.findUniqueOrThrow({ where: { id } });
        await this.index(tx, row);
        return toRecord(row);
      });
    } catch (error) {
      throw isUniqueViolation(error) ? slugTaken(fields.slug) : error;
    }
  }

  async delete(id: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      // PostgreSQL's index row goes with the article (foreign key); an FTS5 table has no foreign keys.
      if (this.provider === 'sqlite') await tx.$executeRaw`DELETE FROM "KbArticleSearch" WHERE "articleId" = ${id}`;
      const { count } = await tx.kbArticle.deleteMany({ where: { id } });
      return count === 1;
    });
  }

  async search(siteId: string, terms: string[], limit: number): Promise<{ article: ArticleRecord; score: number }[]> {
    if (terms.length === 0 || limit <= 0) return [];
    const ranked: { id: string; score: number }[] =
      this.provider === 'sqlite'
        ? // bm25 is lower for better matches; weights: articleId (unindexed) 0, title 10, body 1, tags 5.
          await this.prisma.$queryRaw`
            SELECT a."id" AS "id", -bm25("KbArticleSearch", 0.0, 10.0, 1.0, 5.0) AS "score"
            FROM "KbArticleSearch" JOIN "KbArticle" a ON a."id" = "KbArticleSearch"."articleId"
            WHERE "KbArticleSearch" MATCH ${fts5Query(terms)} AND a."siteId" = ${siteId} AND a."published" = 1
            ORDER BY "score" DESC, a."id" LIMIT ${limit}`
        : await this.prisma.$queryRaw`
            SELECT a."id" AS "id", ts_rank(s."document", q)::float8 AS "score"
            FROM "KbArticleSearch" s JOIN "KbArticle" a ON a."id" = s."articleId",
                 websearch_to_tsquery('english', ${websearchQuery(terms)}) q
            WHERE s."document" @@ q AND a."siteId" = ${siteId} AND a."published"
            ORDER BY "score" DESC, a."id" LIMIT ${limit}`;
    const rows = await this.prisma.kbArticle.findMany({ where: { id: { in: ranked.map((r) => r.id) } } });
    const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
    return ranked.flatMap(({ id, score }) => {
      const article = byId.get(id);
      return article ? [{ article, score: Number(score) }] : [];
    });
  }

  async listQuestions(siteId: string): Promise<EvalQuestionRecord[]> {
    const rows = await this.prisma.kbEvalQuestion.findMany({ where: { siteId }, include: { article: { select: { slug: true } } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    return rows.map((row) => ({ id: row.id, siteId: row.siteId, question: row.question, articleId: row.articleId, articleSlug: row.article.slug }));
  }

  async addQuestion(siteId: string, question: string, articleId: string): Promise<EvalQuestionRecord> {
    const row = await this.prisma.kbEvalQuestion.create({ data: { id: this.newId(), siteId, question, articleId }, include: { article: { select: { slug: true } } } });
    return { id: row.id, siteId: row.siteId, question: row.question, articleId: row.articleId, articleSlug: row.article.slug };
  }

  async deleteQuestion(siteId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.kbEvalQuestion.deleteMany({ where: { id, siteId } });
    return count === 1;
  }

  /** Replaces the article's index entry with its current title, tags and body. */
  private async index(tx: Tx, row: KbArticle): Promise<void> {
    const tags = toRecord(row).tags.join(' ');
    if (this.provider === 'sqlite') {
      await tx.$executeRaw`DELETE FROM "KbArticleSearch" WHERE "articleId" = ${row.id}`;
      await tx.$executeRaw`INSERT INTO "KbArticleSearch" ("articleId", "title", "body", "tags") VALUES (${row.id}, ${row.title}, ${row.body}, ${tags})`;
      return;
    }
    await tx.$executeRaw`
      INSERT INTO "KbArticleSearch" ("articleId", "document")
      VALUES (${row.id}, setweight(to_tsvector('english', ${row.title}), 'A') || setweight(to_tsvector('english', ${tags}), 'B')
                         || setweight(to_tsvector('english', ${row.body}), 'D'))
      ON CONFLICT ("articleId") DO UPDATE SET "document" = EXCLUDED."document"`;
  }
}
