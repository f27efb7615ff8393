/** The data folder, the SQLite files and the generated signing secret are owner-only after a start. */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/parley.ts';

const FILES = ['parley.db', 'parley.db-wal', 'parley.db-shm', 'jwt-secret'];

let root: string;
let dataDir: string;
let previousUmask: number;
let server: TestServer | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'parley-modes-'));
  dataDir = join(root, 'data');
  // The usual umask, which let the database be created readable by everyone.
  previousUmask = process.umask(0o022);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  process.umask(previousUmask);
  rmSync(root, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const modes = () => Object.fromEntries([['data', mode(dataDir)], ...FILES.map((f) => [f, mode(join(dataDir, f))])]);
const OWNER_ONLY = { data: '700', 'parley.db': '600', 'parley.db-wal': '600', 'parley.db-shm': '600', 'jwt-secret': '600' };

describe('data file permissions', () => {
  it('creates the data folder 0700 and the database, its WAL and shared memory, and the secret 0600', async () => {
    server = await startServer({ DATA_DIR: dataDir });
    for (const file of FILES) expect(existsSync(join(dataDir, file)), file).toBe(true);
    expect(modes()).toEqual(OWNER_ONLY);
  });

  it('tightens an existing folder and files readable by others at start, and says so', async () => {
    server = await startServer({ DATA_DIR: dataDir });
    await server.close();
    chmodSync(dataDir, 0o755);
    for (const file of FILES) if (existsSync(join(dataDir, file))) chmodSync(join(dataDir, file), 0o644);

    server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    expect(modes()).toEqual(OWNER_ONLY);
    const tightened = server.logs.filter((line) => line.includes('permissions tightened')).map((line) => (JSON.parse(line) as { path: string }).path);
    expect(tightened).toEqual(expect.arrayContaining([dataDir, join(dataDir, 'parley.db'), join(dataDir, 'jwt-secret')]));
  });
});
