import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../prisma/migrate.ts';
import { createDatabase } from '../../../server/db/client.ts';
import { WriteTurns } from '../../../server/db/sqlite-write-turns.ts';
import { SqliteWriter } from '../../../server/db/sqlite-writer.ts';
import { loadMigrations } from '../../../prisma/engine.ts';

const dir = mkdtempSync(join(tmpdir(), 'parley-sqlite-'));
const file = join(dir, 'nested', 'parley.db'); // migrate() must create the missing folder
const url = `file:${relative(process.cwd(), file)}`; // relative to cwd, like file:./data/parley.db
const committed = loadMigrations('sqlite').migrationDirectories.map((m) => m.path);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite migrate() and createDatabase()', () => {
  it('applies every committed migration, then nothing on a second run', async () => {
    expect(committed.length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual({ applied: committed });
    expect(await migrate(url)).toEqual({ applied: [] });
    const db = new Sqlite(file, { readonly: true });
    const rows = db.prepare('SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name').all() as { migration_name: string; finished_at: string | null }[];
    db.close();
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('opens with WAL, synchronous=FULL, busy_timeout=250 and foreign keys, and stores a Site', async () => {
    const database = createDatabase(url);
    try {
      expect(database.provider).toBe('sqlite');
      const pragma = async (name: string) => Object.values((await database.prisma.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`))[0]!)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(Number(await pragma('synchronous'))).toBe(2); // FULL
      expect(Number(await pragma('busy_timeout'))).toBe(250);
      expect(Number(await pragma('foreign_keys'))).toBe(1);

      const site = { id: 's1', name: 'Acme', publicKey: 'pk_1', allowedOrigins: ['https://acme.test'], widgetSettings: { greeting: 'Hi' }, identitySecret: 'secret' };
      await database.prisma.site.create({ data: site });
      expect(await database.prisma.site.findUnique({ where: { id: 's1' } })).toMatchObject({ ...site, identityRequired: false });
    } finally {
      await database.close();
    }
    const db = new Sqlite(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal'); // persisted in the file, not only on that connection
    db.close();
  });

  it('writes sends on a thread that answers with SQLite\'s errors and opens again on the next batch', async () => {
    const later = join(dir, 'later', 'parley.db');
    const database = createDatabase(`file:${later}`);
    try {
      if (database.provider !== 'sqlite') throw new Error('expected a SQLite database');
      const writer = database.sqliteWriter;
      const append = { conversationId: 'nope', message: { authorKind: 'visitor' as const, authorId: 'v', body: 'hi', clientId: 'c1' }, guard: {} };
      await expect(writer.append({ appends: [append], ids: ['m1'] }, () => {})).rejects.toThrow(/directory does not exist/);
      await migrate(`file:${later}`);
      expect(await writer.append({ appends: [append], ids: ['m1'] }, () => {})).toEqual([{ ok: true, rows: null }]); // no such conversation
    } finally {
      await database.close();
    }
  });

  it('takes the next batch while the last one commits, in its turn, unless someone else is waiting for the turn', async () => {
    const pipelined = join(dir, 'pipelined.db');
    await migrate(`file:${pipelined}`);
    const batch = (id: string) => ({ appends: [{ conversationId: 'nope', message: { authorKind: 'visitor' as const, authorId: 'v', body: 'hi', clientId: id }, guard: {} }], ids: [id] });
    const run = async (otherFirst: boolean) => {
      const turns = new WriteTurns();
      const writer = new SqliteWriter(pipelined, turns);
      const order: string[] = [];
      let second: Promise<unknown> | undefined;
      let other: Promise<unknown> | undefined;
      const took = () => turns.take().then(() => {
        order.push('other');
        turns.give();
      });
      try {
        await writer.append(batch('m1'), () => {
          if (otherFirst) other = took(); // e.g. a Prisma write, now waiting for the turn
          second = writer.append(batch('m2'), () => order.push('m2 written'));
          if (!otherFirst) other = took();
        });
        await Promise.all([second, other]);
      } finally {
        await writer.close();
      }
      return order;
    };
    expect(await run(false)).toEqual(['m2 written', 'other']); // m2 joined the thread's turn
    expect(await run(true)).toEqual(['other', 'm2 written']); // m2 queued behind the waiting writer
  });

  it('refuses a database that cannot use WAL', async () => {
    const database = createDatabase('file::memory:');
    await expect(database.prisma.$connect()).rejects.toThrow(/refused WAL mode/);
  });
});
