// Applies the committed migrations (prisma/migrations or prisma/postgres/migrations) to a database, like
// `prisma migrate deploy`. Script: npm run db:migrate (migrates DATABASE_URL, default file:./data/parley.db).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseDatabaseUrl } from './database-url.ts';
import { applyMigrations } from './engine.ts';

/** Idempotent: a second run applies nothing. `file:` paths are relative to cwd; `?schema=` picks the PostgreSQL schema. */
export async function migrate(databaseUrl: string, log: (message: string) => void = () => {}): Promise<{ applied: string[] }> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider === 'sqlite') mkdirSync(dirname(target.file), { recursive: true });
  const applied = await applyMigrations(target);
  log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database schema is up to date.');
  return { applied };
}

if (process.argv[1] === import.meta.filename) {
  await migrate(process.env.DATABASE_URL ?? 'file:./data/parley.db', console.log);
}
