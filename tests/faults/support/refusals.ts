/**
 * Ways to make the SQLite database refuse the server's writes for real, from outside the server process:
 * another connection holding the write lock (SQLITE_BUSY after busy_timeout), a full file system
 * (SQLITE_FULL) on a small tmpfs, or a trigger refusing one kind of update. Each returns how to undo it.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Upper bound on what fillDisk writes, whatever the file system says. */
const MAX_FILL_BYTES = 512 * 1024 * 1024;

export interface Refusal {
  /** What was done, for the report. */
  detail: string;
  undo(): void;
}

/** Takes SQLite's write lock with BEGIN EXCLUSIVE on a connection of our own and keeps it until undo (rolled back). */
export function holdWriteLock(databaseFile: string): Refusal {
  const db = new Database(databaseFile, { timeout: 10_000 });
  db.exec('BEGIN EXCLUSIVE');
  return {
    detail: 'BEGIN EXCLUSIVE held by another connection',
    undo: () => {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** A trigger makes SQLite refuse every UPDATE of `table.column` (RAISE(FAIL)); other writes go through. */
export function refuseUpdatesOf(databaseFile: string, table: string, column: string): Refusal {
  const trigger = `faults_refuse_${table}_${column}`;
  const run = (sql: string) => {
    const db = new Database(databaseFile, { timeout: 10_000 });
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };
  run(`CREATE TRIGGER ${trigger} BEFORE UPDATE OF ${column} ON ${table} BEGIN SELECT RAISE(FAIL, 'refused by the fault test'); END;`);
  return { detail: `UPDATE of ${table}.${column} refused by a trigger`, undo: () => run(`DROP TRIGGER IF EXISTS ${trigger}`) };
}

/**
 * Checkpoints and truncates the WAL (so the next commit must grow it), then fills the file system holding
 * the database with a filler file until ENOSPC. Undo deletes the filler.
 */
export function fillDisk(databaseFile: string, folder: string): Refusal {
  const db = new Database(databaseFile, { timeout: 10_000 });
  const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
  db.close();
  const filler = join(folder, 'filler.bin');
  const fd = openSync(filler, 'w');
  let written = 0;
  try {
    // Big pieces first, then small ones, until not a byte more fits.
    for (const size of [1 << 20, 4096, 1]) {
      const piece = Buffer.alloc(size);
      while (written < MAX_FILL_BYTES && writeUntilFull(fd, piece)) written += size;
    }
  } finally {
    closeSync(fd);
  }
  return {
    detail: `WAL checkpoint(TRUNCATE) ${checkpoint?.busy ? 'busy' : 'done'}, ${(written / 1048576).toFixed(1)} MiB filler`,
    undo: () => rmSync(filler, { force: true }),
  };
}

function writeUntilFull(fd: number, piece: Buffer): boolean {
  try {
    writeSync(fd, piece);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return false;
    throw error;
  }
}

/** A tmpfs of `size` (e.g. "32m") on a fresh folder; null when mounting is not possible (not root, no tmpfs). */
export function mountTmpfs(size: string): { path: string; unmount(): void } | null {
  const path = mkdtempSync(join(tmpdir(), 'parley-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', path], { stdio: 'pipe' });
  } catch {
    rmdirSync(path);
    return null;
  }
  return {
    path,
    unmount: () => {
      execFileSync('umount', [path], { stdio: 'pipe' });
      rmdirSync(path);
    },
  };
}
