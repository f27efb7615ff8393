/** Store tests against a real database: the migrations applied, then one site ('s1') for their rows to belong to. */
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../prisma/migrate.ts';
import { createDatabase, type Database } from '../../server/db/client.ts';

export async function openMigratedWithSite(url: string): Promise<Database> {
  await migrate(url);
  const database = createDatabase(url);
  await database.prisma.site.create({ data: { id: 's1', name: 'Acme', publicKey: 'pk_1', allowedOrigins: [], widgetSettings: {}, identitySecret: 'secret' } });
  return database;
}

/**
 * For a describe block: the database `prepare` gives, migrated with site s1, handed to `opened` before the block's
 * tests, closed and dropped after them. Nothing is opened when the database is not `available`.
 */
export function useMigratedDatabase(available: boolean, prepare: () => Promise<{ url: string; drop(): Promise<void> }>, opened: (database: Database) => Promise<void>): void {
  let database: Database | undefined;
  let drop = async () => {};
  beforeAll(async () => {
    if (!available) return;
    const target = await prepare();
    drop = target.drop;
    database = await openMigratedWithSite(target.url);
    await opened(database);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await drop();
  });
}
