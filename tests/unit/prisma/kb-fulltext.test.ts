/**
 * The knowledge base's full-text index is hand-written migration SQL: a fresh database from the migrations has it,
 * on both databases, and diffing a later change of the articles leaves it alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { devPostgresUrl, parseDatabaseUrl } from '../../../prisma/database-url.ts';
import { pendingMigrationSql } from '../../../prisma/engine.ts';
import { layout } from '../../../prisma/layout.ts';
import { migrate } from '../../../prisma/migrate.ts';
import { dropSchema, postgresAvailable, throwawaySchema } from '../../support/postgres.ts';

const withExtraColumn = (schemaFile: string) => readFileSync(schemaFile, 'utf8').replace(/model KbArticle \{/, 'model KbArticle {\n  extra String?');

describe('knowledge-base full-text index on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-kb-fts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a fresh database from the migrations has the FTS5 table, and it answers MATCH', async () => {
    const file = join(dir, 'fresh.db');
    await migrate(`file:${file}`);
    const db = new Sqlite(file);
    try {
      const table = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'KbArticleSearch'").get() as { sql: string } | undefined;
      expect(table?.sql).toMatch(/USING fts5/i);
      db.prepare('INSERT INTO "KbArticleSearch" ("articleId", "title", "body", "tags") VALUES (?, ?, ?, ?)').run('a1', 'Refunds', 'Money back', 'billing');
      expect(db.prepare('SELECT "articleId" FROM "KbArticleSearch" WHERE "KbArticleSearch" MATCH ?').all('"refund"')).toEqual([{ articleId: 'a1' }]);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!postgresAvailable)('knowledge-base full-text index on PostgreSQL', { timeout: 30_000 }, () => {
  const { schema, url } = throwawaySchema();
  afterAll(() => dropSchema(schema));

  it('a fresh database from the migrations has the tsvector table and its GIN index', async () => {
    await migrate(url);
    const client = new pg.Client(devPostgresUrl);
    await client.connect();
    try {
      const { rows } = await client.query('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [schema, 'KbArticleSearch']);
      expect(rows.map((r: { indexdef: string }) => r.indexdef).join('\n')).toMatch(/USING gin \(document\)/);
    } finally {
      await client.end();
    }
  });

  it('a later change to the articles leaves the index alone', async () => {
    const sql = await pendingMigrationSql(parseDatabaseUrl(devPostgresUrl), withExtraColumn(layout.postgresql.schema));
    expect(sql).toMatch(/ALTER TABLE "KbArticle" ADD COLUMN\s+"extra" TEXT/);
    expect(sql).not.toContain('KbArticleSearch');
  });
});
