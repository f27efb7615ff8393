/**
 * PostgreSQL for tests: reachable or not (a failure under CI=true), and throwaway schemas that are dropped after.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { devPostgresUrl } from '../../prisma/database-url.ts';

export const postgresServer = new URL(devPostgresUrl).host;

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: devPostgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresAvailable = await reachable();
if (!postgresAvailable && process.env.CI === 'true') {
  throw new Error(`PostgreSQL at ${postgresServer} is unreachable, and CI=true requires it (set POSTGRES_URL)`);
}
if (!postgresAvailable) {
  console.warn(`Skipping PostgreSQL tests: ${postgresServer} is unreachable (set POSTGRES_URL; CI=true makes this a failure)`);
}

/** A DATABASE_URL pointing at a new, empty schema. */
export function throwawaySchema(): { schema: string; url: string } {
  const schema = `parley_test_${randomUUID().replaceAll('-', '')}`;
  return { schema, url: `${devPostgresUrl}${devPostgresUrl.includes('?') ? '&' : '?'}schema=${schema}` };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(devPostgresUrl);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** A throwaway schema as a database to prepare: its URL, and dropping it after. */
export async function throwawayDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const { schema, url } = throwawaySchema();
  return { url, drop: () => dropSchema(schema) };
}
