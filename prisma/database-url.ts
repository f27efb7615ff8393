// Turns DATABASE_URL into what the driver adapters need; shared by migrations and the runtime client.
import { resolve } from 'node:path';
import type { PoolConfig } from 'pg';

export type DatabaseTarget =
  | { provider: 'sqlite'; file: string }
  | { provider: 'postgresql'; config: PoolConfig & { connectionString: string }; schema: string };

/** `file:<path>` (relative to cwd, or :memory:) or `postgres[ql]://…[?schema=name]`. */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  if (databaseUrl.startsWith('file:')) {
    const path = databaseUrl.slice('file:'.length);
    return { provider: 'sqlite', file: path === ':memory:' ? path : resolve(path) };
  }
  const url = new URL(databaseUrl);
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`Unsupported database URL scheme "${url.protocol}": use file: or postgresql://`);
  }
  const schema = url.searchParams.get('schema') ?? 'public';
  // The name goes unquoted into search_path below, so only plain identifiers are accepted.
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`Invalid PostgreSQL schema name "${schema}"`);
  url.searchParams.delete('schema'); // Prisma's parameter, unknown to PostgreSQL
  // The schema engine writes unqualified DDL, so search_path must point at the schema it introspects.
  return { provider: 'postgresql', config: { connectionString: url.href, options: `-c search_path=${schema}` }, schema };
}

/** The PostgreSQL server that `npm run db:migration` and the tests use (override with POSTGRES_URL). */
export const devPostgresUrl = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
