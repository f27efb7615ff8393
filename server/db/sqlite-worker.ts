/**
 * The SQLite writer thread (see sqlite-writer.ts): appends each batch it is sent in one IMMEDIATE transaction and
 * answers once the commit and its fsync are done. Blocking here costs the event loop nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { appendRows } from './sqlite-appends.ts';
import { openSqlite, type AppendReply, type AppendRequest, type Prepare } from './sqlite-writer.ts';

const { file } = workerData as { file: string };
let db: Database.Database | null = null;
const statements = new Map<string, Database.Statement>();
const prepare: Prepare = (sql) => {
  let statement = statements.get(sql);
  if (!statement) statements.set(sql, (statement = db!.prepare(sql)));
  return statement;
};

function write({ appends, ids }: AppendRequest): AppendReply {
  try {
    // Opened on the first batch, so a connection that cannot open fails that batch (and the next tries again).
    db ??= openSqlite(file);
    return { outcomes: db.transaction(() => appendRows(prepare, appends, ids)).immediate() };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    return { error: { message: String(message ?? error), ...(typeof code === 'string' && { code }) } };
  }
}

parentPort!.on('message', (request: AppendRequest) => parentPort!.postMessage(write(request)));
