import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { devPostgresUrl, parseDatabaseUrl } from '../../../prisma/database-url.ts';
import { loadMigrations, pendingMigrationSql } from '../../../prisma/engine.ts';
import { layout } from '../../../prisma/layout.ts';
import { migrate } from '../../../prisma/migrate.ts';
import { createDatabase } from '../../../server/db/client.ts';

const server = new URL(devPostgresUrl).host;
const available = await reachable(devPostgresUrl);
if (!available && process.env.CI === 'true') {
  throw new Error(`PostgreSQL at ${server} is unreachable, and CI=true requires it (set POSTGRES_URL)`);
}
if (!available) console.warn(`Skipping PostgreSQL tests: ${server} is unreachable (set POSTGRES_URL; CI=true makes this a failure)`);

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const schema = `parley_test_${randomUUID().replaceAll('-', '')}`; // throwaway, dropped after
const url = `${devPostgresUrl}${devPostgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
const committed = loadMigrations('postgresql').migrationDirectories.map((m) => m.path);

describe.skipIf(!available)(`PostgreSQL at ${server}`, { timeout: 30_000 }, () => {
  afterAll(async () => {
    const client = new pg.Client(devPostgresUrl);
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('the PostgreSQL migration history matches the derived schema', async () => {
    expect(await pendingMigrationSql(parseDatabaseUrl(devPostgresUrl))).toBe('');
  });

  it('a schema change shows up as pending SQL', async () => {
    const changed = readFileSync(layout.postgresql.schema, 'utf8').replace(/model Site \{/, 'model Site {\n  extra String?');
    expect(await pendingMigrationSql(parseDatabaseUrl(devPostgresUrl), changed)).toMatch(/ALTER TABLE "Site" ADD COLUMN {5}"extra" TEXT/);
  });

  it('migrate() applies every committed migration into ?schema=, then nothing on a second run', async () => {
    expect(committed.length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual({ applied: committed });
    expect(await migrate(url)).toEqual({ applied: [] });
    const client = new pg.Client(devPostgresUrl);
    await client.connect();
    const { rows } = await client.query(`SELECT migration_name FROM "${schema}"._prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`);
    await client.end();
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
  });

  it('createDatabase() stores and reads a Site in that schema', async () => {
    const database = createDatabase(url);
    try {
      expect(database.provider).toBe('postgresql');
      const site = { id: 's1', name: 'Acme', publicKey: 'pk_1', allowedOrigins: ['https://acme.test'], widgetSettings: { greeting: 'Hi' }, identitySecret: 'secret' };
      await database.prisma.site.create({ data: site });
      expect(await database.prisma.site.findUnique({ where: { id: 's1' } })).toMatchObject({ ...site, identityRequired: false });
      expect(await database.prisma.$queryRawUnsafe(`SELECT name FROM "${schema}"."Site"`)).toEqual([{ name: 'Acme' }]);
    } finally {
      await database.close();
    }
  });
});
