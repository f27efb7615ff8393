/** Store tests against a real database: the migrations applied, then one site ('s1') for their rows to belong to. */
import { migrate } from '../../prisma/migrate.ts';
import { createDatabase, type Database } from '../../server/db/client.ts';

export async function openMigratedWithSite(url: string): Promise<Database> {
  await migrate(url);
  const database = createDatabase(url);
  await database.prisma.site.create({ data: { id: 's1', name: 'Acme', publicKey: 'pk_1', allowedOrigins: [], widgetSettings: {}, identitySecret: 'secret' } });
  return database;
}
