// Opens the Prisma client for DATABASE_URL: SQLite (file:) or PostgreSQL (postgres[ql]://, optional ?schema=).
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { parseDatabaseUrl } from '../../prisma/database-url.ts';
import { PrismaClient as PostgresPrismaClient } from './generated/postgres/client.ts';
import { PrismaClient } from './generated/sqlite/client.ts';

export interface Database {
  /** Typed by the SQLite client; the PostgreSQL client is generated from the same models and used through it. */
  prisma: PrismaClient;
  provider: 'sqlite' | 'postgresql';
  close(): Promise<void>;
}

export function createDatabase(databaseUrl: string): Database {
  const target = parseDatabaseUrl(databaseUrl);
  const prisma =
    target.provider === 'sqlite'
      ? new PrismaClient({ adapter: sqliteAdapter(target.file) })
      : (new PostgresPrismaClient({ adapter: new PrismaPg(target.config, { schema: target.schema }) }) as PrismaClient);
  return { prisma, provider: target.provider, close: () => prisma.$disconnect() };
}

// WAL lets readers run beside the writer; synchronous=FULL fsyncs every commit, so an acked message survives a crash.
// better-sqlite3 waits for a lock synchronously, blocking the event loop: wait briefly, then fail (UNAVAILABLE) and let clients retry.
const SQLITE_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 250; PRAGMA foreign_keys = ON;';

/** The better-sqlite3 adapter with our pragmas on every connection it opens. */
function sqliteAdapter(file: string): SqlDriverAdapterFactory {
  const base = new PrismaBetterSqlite3({ url: file });
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => {
      const adapter = await base.connect();
      await adapter.executeScript(SQLITE_PRAGMAS);
      // SQLite silently keeps another mode when it cannot switch (e.g. in-memory databases).
      const { rows } = await adapter.queryRaw({ sql: 'PRAGMA journal_mode', args: [], argTypes: [] });
      const mode = rows[0]?.[0];
      if (mode === 'wal') return adapter;
      await adapter.dispose();
      throw new Error(`SQLite ${file} refused WAL mode (journal_mode=${String(mode)})`);
    },
  };
}
