/**
 * `--profile` only: counts the SQL statements the server prepares (better-sqlite3's prepare, which Prisma's
 * adapter calls for every query), by verb and table, from inside the server process.
 */
import { createRequire } from 'node:module';

type Prepare = (this: unknown, sql: string) => unknown;

const counts = new Map<string, number>();

export function countSqlStatements(): void {
  // The same module instance the server's Prisma adapter loads, so patching its prototype reaches it.
  const Database = createRequire(new URL('../../package.json', import.meta.url))('better-sqlite3') as { prototype: { prepare: Prepare } };
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: unknown, sql: string) {
    const key = statementKind(sql);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return prepare.call(this, sql);
  };
}

/** Statements prepared since the last call, by kind, most frequent first. */
export function takeSqlCounts(): Record<string, number> {
  const sorted = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  counts.clear();
  return sorted;
}

function statementKind(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
  const table = /(?:FROM|INTO|UPDATE)\s+(?:`main`\.)?`?(\w+)`?/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}
