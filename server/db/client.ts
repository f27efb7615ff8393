// Opens the Prisma client for DATABASE_URL: SQLite (file:) or PostgreSQL (postgres[ql]://, optional ?schema=).
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import { parseDatabaseUrl } from '../../prisma/database-url.ts';
import { PrismaClient as PostgresPrismaClient } from './generated/postgres/client.ts';
import { PrismaClient } from './generated/sqlite/client.ts';
import { SQLITE_PRAGMAS, walRefused } from './sqlite-connection.ts';
import { WriteTurns } from './sqlite-write-turns.ts';
import { SqliteWriter } from './sqlite-writer.ts';

interface Connected {
  /** Typed by the SQLite client; the PostgreSQL client is generated from the same models and used through it. */
  prisma: PrismaClient;
  close(): Promise<void>;
}

/** Which database a Database talks to: the raw SQL paths differ (placeholders, date encoding, full-text search). */
export type Provider = Database['provider'];

/**
 * Sends are written raw: on PostgreSQL through `rawPool` (pg-appends.ts; new conversations and assignments go
 * through it too, pg-starts.ts and pg-assignments.ts, and so do the summaries read by id, pg-summaries.ts, and the
 * reads before a first message, pg-openings.ts), on SQLite by `sqliteWriter`, a connection on its own thread that
 * takes turns with Prisma's.
 */
export type Database = Connected & ({ provider: 'postgresql'; rawPool: pg.Pool } | { provider: 'sqlite'; sqliteWriter: SqliteWriter });

/**
 * Six raw statements, each run one batch at a time: the group commit's sends, the new conversations, the routing
 * leader's assignments, the summaries their announcements read, and a first message's two reads (its visitor's
 * open conversation, a retry). One connection each, so that none waits behind another; more would sit idle.
 */
const RAW_POOL_SIZE = 6;

export function createDatabase(databaseUrl: string): Database {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.provider === 'postgresql') {
    const prisma = new PostgresPrismaClient({ adapter: new PrismaPg(target.config, { schema: target.schema }) }) as PrismaClient;
    // Each raw statement is prepared and planned once per connection, from the first batch on: planning the append
    // for each batch cost PostgreSQL 0.9 ms, more than a 25-row batch's whole write. The one plan must hold as tables
    // grow: costed while Message held a few rows, it read all of it for each batch (4,288 to 1,733 msg/s over four
    // 20 s runs). With sequential scans ruled out on this pool, which runs those statements alone, every table is
    // read through its indexes, whatever its size when the plan was made.
    const options = [target.config.options, '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off'].filter(Boolean).join(' ');
    const rawPool = new pg.Pool({ ...target.config, options, max: RAW_POOL_SIZE });
    // An idle connection that breaks (the server restarted) is dropped and replaced at the next batch, and a batch
    // in flight fails with its own error; unheard, this event would end the process.
    rawPool.on('error', () => {});
    return {
      prisma,
      provider: target.provider,
      rawPool,
      async close() {
        await prisma.$disconnect();
        await rawPool.end();
      },
    };
  }
  const turns = new WriteTurns();
  const prisma = new PrismaClient({ adapter: sqliteAdapter(target.file, turns) });
  const writer = new SqliteWriter(target.file, turns);
  return {
    prisma,
    provider: target.provider,
    sqliteWriter: writer,
    async close() {
      await prisma.$disconnect();
      await writer.close();
    },
  };
}

/** The better-sqlite3 adapter with our pragmas on every connection it opens, its transactions taking write turns. */
function sqliteAdapter(file: string, turns: WriteTurns): SqlDriverAdapterFactory {
  const base = new PrismaBetterSqlite3({ url: file });
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => {
      const adapter = await base.connect();
      await adapter.executeScript(SQLITE_PRAGMAS);
      const { rows } = await adapter.queryRaw({ sql: 'PRAGMA journal_mode', args: [], argTypes: [] });
      const refused = walRefused(file, rows[0]?.[0]);
      if (!refused) return takingTurns(adapter, turns);
      await adapter.dispose();
      throw refused;
    },
  };
}

/** Statements that write: Prisma's single writes run outside a transaction. */
const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

/**
 * Each transaction waits for the write turn before BEGIN and gives it back after COMMIT or ROLLBACK; each write
 * outside a transaction holds it while it runs. The writer thread may be inside a transaction at any moment, and
 * this connection would otherwise wait for its lock synchronously, with the event loop stopped.
 */
function takingTurns(adapter: SqlDriverAdapter, turns: WriteTurns): SqlDriverAdapter {
  const queryRaw = adapter.queryRaw.bind(adapter);
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.queryRaw = (query) => (WRITE.test(query.sql) ? turns.holding(() => queryRaw(query)) : queryRaw(query));
  adapter.executeRaw = (query) => (WRITE.test(query.sql) ? turns.holding(() => executeRaw(query)) : executeRaw(query));
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    await turns.take();
    try {
      return givingTurnBack(await startTransaction(isolationLevel), turns);
    } catch (error) {
      turns.give();
      throw error;
    }
  };
  return adapter;
}

function givingTurnBack(transaction: Transaction, turns: WriteTurns): Transaction {
  let ended = false;
  const end = (finish: () => Promise<void>) => async () => {
    try {
      await finish();
    } finally {
      if (!ended) turns.give();
      ended = true;
    }
  };
  transaction.commit = end(transaction.commit.bind(transaction));
  transaction.rollback = end(transaction.rollback.bind(transaction));
  return transaction;
}
