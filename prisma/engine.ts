// Prisma's WASM schema engine driven through driver adapters: the CLI's native engine is not available offline.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import { SchemaEngine, type MigrationList } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import type { DatabaseTarget } from './database-url.ts';
import { layout, LOCKFILE, type Provider } from './layout.ts';

const MIGRATION_FILE = 'migration.sql';
/**
 * Tables the migrations create in hand-written SQL because Prisma cannot model them (the knowledge base's
 * full-text index: an FTS5 virtual table and its shadow tables on SQLite, a tsvector table on PostgreSQL).
 * Diffs leave them alone, so a later `npm run db:migration` does not drop them.
 */
const handWrittenTables = ['KbArticleSearch', ...['config', 'content', 'data', 'docsize', 'idx'].map((part) => `KbArticleSearch_${part}`)];
const noFilters: { externalTables: string[]; externalEnums: string[] } = { externalTables: [], externalEnums: [] };
/** PostgreSQL wants qualified names; the history is replayed in a fresh shadow database, in its public schema. */
const diffFilters: Record<Provider, typeof noFilters> = {
  sqlite: { externalTables: handWrittenTables, externalEnums: [] },
  postgresql: { externalTables: handWrittenTables.map((table) => `public.${table}`), externalEnums: [] },
};

/** The migrations folder as the engine wants it: one `<timestamp>_<name>/migration.sql` per migration. */
export function loadMigrations(provider: Provider): MigrationList {
  const baseDir = layout[provider].migrations;
  const lockPath = join(baseDir, LOCKFILE);
  const names = existsSync(baseDir)
    ? readdirSync(baseDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    : [];
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((path) => ({
      path,
      migrationFile: { path: MIGRATION_FILE, content: { tag: 'ok', value: readFileSync(join(baseDir, path, MIGRATION_FILE), 'utf8') } },
    })),
  };
}

/** Applies the target's pending migrations; returns their names (none when up to date). */
export function applyMigrations(target: DatabaseTarget): Promise<string[]> {
  return withEngine(target, async (engine) => {
    const result = await engine.applyMigrations({ migrationsList: loadMigrations(target.provider), filters: noFilters });
    return result.appliedMigrationNames;
  });
}

/**
 * SQL that would bring the committed migration history up to `schema`, or '' when they match.
 * The history is replayed on a shadow database (SQLite: in memory; PostgreSQL: a throwaway database on `target`).
 */
export function pendingMigrationSql(target: DatabaseTarget, schema = readFileSync(layout[target.provider].schema, 'utf8')): Promise<string> {
  return withEngine(target, async (engine) => {
    const { exitCode, stdout } = await engine.diff({
      from: { tag: 'migrations', ...loadMigrations(target.provider) },
      to: { tag: 'schemaDatamodel', files: [{ path: layout[target.provider].schema, content: schema }] },
      script: true,
      exitCode: true, // 2 when the diff is not empty
      filters: diffFilters[target.provider],
    });
    return exitCode === 2 ? (stdout ?? '') : '';
  });
}

/** Runs `use` with an engine connected to the target, then frees the engine and closes the connection. */
async function withEngine<T>(target: DatabaseTarget, use: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const factory = adapterFactory(target);
  let main: SqlDriverAdapter | undefined;
  const bound = bindMigrationAwareSqlAdapterFactory({
    provider: factory.provider,
    adapterName: factory.adapterName,
    // engine.free() leaves the main connection open (a pg pool would keep the process alive for 10 s), so we close it.
    connect: async () => (main = await factory.connect()),
    connectToShadowDb: () => factory.connectToShadowDb(),
  });
  const schemaPath = layout[target.provider].schema;
  let engine: SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new({ datamodels: [[schemaPath, readFileSync(schemaPath, 'utf8')]] }, () => {}, bound);
    return await use(engine);
  } catch (error) {
    // Failures inside the adapter reach us as "External error id#N"; the registry keeps the original.
    const message = error instanceof Error ? error.message : String(error);
    const id = /External error id#(\d+)/.exec(message)?.[1];
    const original = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id))?.error;
    throw original ? new Error(`${message}\nCaused by: ${String(original)}`, { cause: original }) : error;
  } finally {
    engine?.free();
    await main?.dispose();
  }
}

// The engine build (@prisma/schema-engine-wasm 8.1.0-2.59be4fd) is newer than the 7.10 adapters; the patches
// below bridge the two incompatibilities its migrate/diff paths hit.
function adapterFactory(target: DatabaseTarget): SqlMigrationAwareDriverAdapterFactory {
  if (target.provider === 'sqlite') {
    const base = new PrismaBetterSqlite3({ url: target.file });
    return {
      provider: base.provider,
      adapterName: base.adapterName,
      connect: () => base.connect(),
      connectToShadowDb: async () => runScriptsWhole(await base.connectToShadowDb()),
    };
  }
  const base = new PrismaPg(target.config, { schema: target.schema });
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => readCharAsText(await base.connect()),
    // PrismaPg's own shadow database breaks with connection strings (the URL's database wins over the shadow's)
    // and is dropped while its pool is still connected; this one closes the pool first.
    connectToShadowDb: async () => {
      const name = `prisma_shadow_${randomUUID().replaceAll('-', '')}`;
      const admin = new pg.Client(target.config);
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`).catch(async (error: unknown) => {
        await admin.end();
        throw error;
      });
      const url = new URL(target.config.connectionString);
      url.pathname = `/${name}`;
      const shadow = readCharAsText(await new PrismaPg({ connectionString: url.href }).connect());
      const closeShadow = shadow.dispose.bind(shadow);
      return Object.assign(shadow, {
        dispose: async () => {
          await closeShadow();
          await admin.query(`DROP DATABASE "${name}"`);
          await admin.end();
        },
      });
    },
  };
}

/** The engine replays each migration script on the SQLite shadow with executeRaw, which better-sqlite3 limits to one statement. */
function runScriptsWhole(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const executeRaw = adapter.executeRaw.bind(adapter);
  return Object.assign(adapter, {
    executeRaw: async (query: SqlQuery) => {
      if (query.args.length > 0) return executeRaw(query);
      await adapter.executeScript(query.sql);
      return 0;
    },
  });
}

const PG_CHAR_OID = 18; // the one-byte "char" of pg_catalog codes (contype, confdeltype...)
const PG_TEXT_OID = 25;

/** The engine reads pg_catalog "char" columns when describing a schema; adapter-pg 7.10 rejects that type, so it is passed on as text. */
function readCharAsText(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const queryable = adapter as unknown as { performIO(query: SqlQuery): Promise<pg.QueryResult> };
  const performIO = queryable.performIO.bind(adapter);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
  return adapter;
}
