/**
 * The SQLite writer thread (see sqlite-writer.ts): appends each batch it is sent in one IMMEDIATE transaction and
 * answers once the commit and its fsync are done. Blocking here costs the event loop nothing. It says when the
 * commit begins, so the next batch can be on its way while the disk syncs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { appendRows } from './sqlite-append-rows.ts';
import { cachedStatements, openSqlite, type Prepare } from './sqlite-connection.ts';
import type { AppendReply, AppendRequest } from './sqlite-writer-protocol.ts';

const { file } = workerData as { file: string };
let opened: { db: Database.Database; prepare: Prepare } | null = null;

function write({ appends, ids }: AppendRequest): AppendReply {
  try {
    // Opened on the first batch, so a connection that cannot open fails that batch (and the next tries again).
    if (!opened) {
      const db = openSqlite(file);
      opened = { db, prepare: cachedStatements(db) };
    }
    const { db, prepare } = opened;
    return { outcomes: inTransaction(db, () => appendRows(prepare, appends, ids)) };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    return { error: { message: String(message ?? error), ...(typeof code === 'string' && { code }) } };
  }
}

/** Like better-sqlite3's transaction().immediate(), and tells the main thread when the commit begins. */
function inTransaction<T>(connection: Database.Database, work: () => T): T {
  connection.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    parentPort!.postMessage({ written: true } satisfies AppendReply);
    connection.exec('COMMIT');
    return result;
  } catch (error) {
    if (connection.inTransaction) connection.exec('ROLLBACK');
    throw error;
  }
}

parentPort!.on('message', (request: AppendRequest) => parentPort!.postMessage(write(request)));
