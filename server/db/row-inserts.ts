/**
 * Many rows in one raw INSERT, for the writes a burst repeats with a different number of rows each time (new
 * conversations and their first lines, assignment lines, jobs). Prisma's plan cache keys a createMany by its row
 * count and values, so it compiled each one afresh on the main thread: 426 compilations on three nodes in one
 * burst, a tenth of each node's time. The rows travel as one parameter per column (PostgreSQL, unnested) or as one
 * JSON array (SQLite), so the statement's text is the same for any number of rows.
 */
import type { Provider } from './client.ts';
import type { Prisma } from './generated/sqlite/client.ts';
import { toSqliteDate } from './sqlite-append-rows.ts';

type RawRunner = Pick<Prisma.TransactionClient, '$executeRawUnsafe' | '$queryRawUnsafe'>;
export type RowValue = string | number | Date | null;

/** The columns written, each with the PostgreSQL type its text is cast to (an enum's quoted name for enums). */
export type RowColumns = Readonly<Record<string, string>>;
/** A row to write: a value for every column, read by name (other fields are left alone). */
export type Row<C extends RowColumns> = { readonly [K in keyof C]: RowValue };

/** Writes every row; a row that breaks a constraint fails the statement, so none is written. */
export async function insertRows<C extends RowColumns>(db: RawRunner, provider: Provider, table: string, columns: C, rows: readonly Row<C>[]): Promise<void> {
  if (rows.length > 0) await db.$executeRawUnsafe(...insertStatement(provider, table, columns, rows));
}

/** Writes the rows whose `unique` column holds a value not stored yet, and answers those values. */
export async function insertNewRows<C extends RowColumns>(db: RawRunner, provider: Provider, table: string, columns: C, rows: readonly Row<C>[], unique: keyof C & string): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const [sql, ...values] = insertStatement(provider, table, columns, rows);
  const added = await db.$queryRawUnsafe<Record<string, string>[]>(`${sql} ON CONFLICT ("${unique}") DO NOTHING RETURNING "${unique}"`, ...values);
  return new Set(added.map((row) => row[unique]!));
}

function insertStatement<C extends RowColumns>(provider: Provider, table: string, columns: C, rows: readonly Row<C>[]): [string, ...unknown[]] {
  const names = Object.keys(columns);
  const quoted = names.map((name) => `"${name}"`).join(', ');
  if (provider === 'postgresql') {
    // Every column travels as text[] and is cast once unnested: one way for dates, enums, JSON and numbers alike.
    // Dates are UTC, and a TIMESTAMP(3) column takes the ISO text's time ignoring its zone, as Prisma stores them.
    const arrays = names.map((name) => rows.map((row) => pgText(row[name] ?? null)));
    const unnested = names.map((_, i) => `$${i + 1}::text[]`).join(', ');
    const casts = names.map((name, i) => `r.c${i}::${columns[name]}`).join(', ');
    const aliases = names.map((_, i) => `c${i}`).join(', ');
    return [`INSERT INTO "${table}" (${quoted}) SELECT ${casts} FROM unnest(${unnested}) AS r(${aliases})`, ...arrays];
  }
  // SQLite needs the WHERE to read a following ON CONFLICT as the upsert's, not as a join's.
  const picks = names.map((_, i) => `value ->> ${i}`).join(', ');
  const json = JSON.stringify(rows.map((row) => names.map((name) => sqliteValue(row[name] ?? null))));
  return [`INSERT INTO "${table}" (${quoted}) SELECT ${picks} FROM json_each(?) WHERE true`, json];
}

const sqliteValue = (value: RowValue) => (value instanceof Date ? toSqliteDate(value) : value);

function pgText(value: RowValue): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}
