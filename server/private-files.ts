/**
 * What Parley keeps on disk (the SQLite database with its -wal and -shm, the generated signing secret) holds
 * password hashes, identity secrets and visitors' data: owner-only, whatever the umask. Created so, and tightened
 * at start when an older version or a copy left them readable by others.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDatabaseUrl } from '../prisma/database-url.ts';

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
const GROUP_AND_OTHERS = 0o077;
const STICKY = 0o1000;

export const SECRET_FILE_NAME = 'jwt-secret';
/** The generated Web Push (VAPID) key pair, when VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY are unset. */
export const VAPID_FILE_NAME = 'vapid-keys.json';

/** A path whose group and other permissions were taken away, for the log. */
export interface Tightened {
  path: string;
  from: string;
  to: string;
}

/**
 * Makes the data folder, the SQLite files and the secret file owner-only; creates the database file (empty, which
 * SQLite takes as a new database) so that SQLite, which gives -wal and -shm the database file's mode, never
 * creates one readable by others. Returns what was tightened.
 */
export function securePrivateFiles(options: { databaseUrl: string; dataDir: string; secretInDataDir: boolean }): Tightened[] {
  const tightened: Tightened[] = [];
  const note = (change: Tightened | null) => change && tightened.push(change);
  const dataDir = resolve(options.dataDir);
  if (options.secretInDataDir) {
    note(privateFolder(dataDir, true));
    note(tightenFile(join(dataDir, SECRET_FILE_NAME)));
  }
  note(tightenFile(join(dataDir, VAPID_FILE_NAME)));
  const target = parseDatabaseUrl(options.databaseUrl);
  if (target.provider === 'sqlite' && target.file !== ':memory:') {
    // A folder of the operator's choosing other than DATA_DIR may be shared: created private, never changed.
    note(privateFolder(dirname(target.file), dirname(target.file) === dataDir));
    if (!existsSync(target.file)) {
      closeSync(openSync(target.file, 'a', PRIVATE_FILE_MODE));
      chmodSync(target.file, PRIVATE_FILE_MODE); // open's mode is masked by the umask
    }
    for (const suffix of ['', '-wal', '-shm', '-journal']) note(tightenFile(target.file + suffix));
  }
  return tightened;
}

/** Creates `folder` (and missing parents) owner-only; when `tightenExisting`, takes group and others off one that exists. */
export function privateFolder(folder: string, tightenExisting: boolean): Tightened | null {
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
    chmodSync(folder, PRIVATE_FOLDER_MODE); // mkdir's mode is masked by the umask
    return null;
  }
  const { mode } = statSync(folder);
  // A sticky folder (such as /tmp) is shared by design: leave it as it is.
  if (!tightenExisting || mode & STICKY) return null;
  return tighten(folder, mode);
}

/** Takes group and other permissions off `file`, if it exists. */
export function tightenFile(file: string): Tightened | null {
  return existsSync(file) ? tighten(file, statSync(file).mode) : null;
}

function tighten(path: string, mode: number): Tightened | null {
  if ((mode & GROUP_AND_OTHERS) === 0) return null;
  const to = mode & 0o7777 & ~GROUP_AND_OTHERS;
  chmodSync(path, to);
  return { path, from: octal(mode), to: octal(to) };
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
