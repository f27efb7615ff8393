import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchema, postgresAvailable, postgresServer, throwawaySchema } from '../../support/postgres.ts';
import { devPostgresUrl, parseDatabaseUrl } from '../../../prisma/database-url.ts';
import { loadMigrations, pendingMigrationSql } from '../../../prisma/engine.ts';
import { layout } from '../../../prisma/layout.ts';
import { migrate } from '../../../prisma/migrate.ts';
import { createDatabase } from '../../../server/db/client.ts';

const server = postgresServer;
const available = postgresAvailable;
const { schema, url } = throwawaySchema();
const committed = loadMigrations('postgresql').migrationDirectories.map((m) => m.path);

describe.skipIf(!available)(`PostgreSQL at ${server}`, { timeout: 30_000 }, () => {
  afterAll(() => dropSchema(schema));

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
