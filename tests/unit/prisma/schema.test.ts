import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivePostgresSchema } from '../../../prisma/derive.ts';
import { pendingMigrationSql } from '../../../prisma/engine.ts';
import { layout } from '../../../prisma/layout.ts';

const sqliteShadow = { provider: 'sqlite', file: ':memory:' } as const;

describe('Prisma schemas and SQLite migration history', () => {
  it('the committed PostgreSQL schema is the derivation of prisma/schema.prisma (run: tsx prisma/derive.ts)', () => {
    const derived = derivePostgresSchema(readFileSync(layout.sqlite.schema, 'utf8'));
    expect(readFileSync(layout.postgresql.schema, 'utf8')).toBe(derived);
    expect(derived).toMatch(/^\/\/ generated, do not edit/);
    expect(derived).toContain('provider = "postgresql"');
    expect(derived).toContain('"../../server/db/generated/postgres"');
    expect(derived).not.toContain('sqlite');
  });

  it('derivation refuses a source without the expected datasource', () => {
    expect(() => derivePostgresSchema('datasource db {\n  provider = "mysql"\n}\n')).toThrow(/expected exactly one match/);
  });

  it('the SQLite migration history matches the schema (else: npm run db:migration -- --name <change>)', async () => {
    expect(await pendingMigrationSql(sqliteShadow)).toBe('');
  });

  it('a later change to the articles leaves the hand-written full-text index alone', async () => {
    const changed = readFileSync(layout.sqlite.schema, 'utf8').replace(/model KbArticle \{/, 'model KbArticle {\n  extra String?');
    const sql = await pendingMigrationSql(sqliteShadow, changed);
    expect(sql).toMatch(/ALTER TABLE "KbArticle" ADD COLUMN "extra" TEXT/);
    expect(sql).not.toContain('KbArticleSearch');
  });

  it('a schema change shows up as pending SQL', async () => {
    const changed = readFileSync(layout.sqlite.schema, 'utf8').replace(/model Site \{/, 'model Site {\n  extra String?');
    expect(await pendingMigrationSql(sqliteShadow, changed)).toMatch(/ALTER TABLE "Site" ADD COLUMN "extra" TEXT/);
  });
});
