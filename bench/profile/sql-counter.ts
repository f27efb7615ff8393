/**
 * `--profile` only: counts the SQL statements the server prepares (better-sqlite3's prepare, which Prisma's
 * adapter calls for every query) or sends to PostgreSQL (pg's Client#query, which the pool and Prisma's pg
 * adapter go through), by verb and table, from inside the server process.
 */
import { createRequire } from 'node:module';

type Prepare = (this: unknown, sql: string) => unknown;
type Query = (this: unknown, query: string | { text?: string }, ...rest: unknown[]) => unknown;

const counts = new Map<string, number>();

export function countSqlStatements(): void {
  // The same module instances the server's Prisma adapters load, so patching their prototypes reaches them.
  const require = createRequire(new URL('../../package.json', import.meta.url));
  const Database = require('better-sqlite3') as { prototype: { prepare: Prepare } };
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: unknown, sql: string) {
    count(sql);
    return prepare.call(this, sql);
  };
  const { Client } = require('pg') as { Client: { prototype: { query: Query } } };
  const query = Client.prototype.query;
  Client.prototype.query = function (this: unknown, sql, ...rest) {
    count(typeof sql === 'string' ? sql : (sql?.text ?? ''));
    return query.call(this, sql, ...rest);
  };
}

function count(sql: string): void {
  const key = statementKind(sql);
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Statements prepared since the last call, by kind, most frequent first. */
export function takeSqlCounts(): Record<string, number> {
  const sorted = Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
  counts.clear();
  return sorted;
}

function statementKind(sql: string): string {
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
  const table = /(?:FROM|INTO|UPDATE)\s+(?:[`"]?\w+[`"]?\.)?[`"]?(\w+)[`"]?/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
}
