// Applies the committed migrations (prisma/migrations or prisma/postgres/migrations) to a database, like
// `prisma migrate deploy`. Script: npm run db:migrate (migrates DATABASE_URL, default file:./data/parley.db).
import { existsSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { parseDatabaseUrl } from './database-url.ts';
import { applyMigrations, loadMigrations } from './engine.ts';

/** Idempotent: a second run applies nothing. `file:` paths are relative to cwd; `?schema=` picks the PostgreSQL schema. */
export async function migrate(databaseUrl: string, log: (message: string) => void = () => {}): Promise<{ applied: string[] }> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider === 'sqlite') mkdirSync(dirname(target.file), { recursive: true });
  const applied = target.provider === 'sqlite' && sqliteUpToDate(target.file) ? [] : await applyMigrations(target);
  log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database schema is up to date.');
  return { applied };
}

/**
 * True when every committed migration is recorded as finished. Checked with a plain read first, because the
 * schema engine wants the write lock even when there is nothing to do, and a running server may hold it
 * (the CLI next to a live server).
 */
function sqliteUpToDate(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return false;
    const done = new Set(
      (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL').all() as { migration_name: string }[])
        .map((r) => r.migration_name),
    );
    return loadMigrations('sqlite').migrationDirectories.every((m) => done.has(m.path));
  } finally {
    db.close();
  }
}

if (process.argv[1] === import.meta.filename) {
  await migrate(process.env.DATABASE_URL ?? 'file:./data/parley.db', console.log);
}
