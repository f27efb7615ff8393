/**
 * The VAPID key pair (RFC 8292) the server signs push requests with: VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY, or a
 * pair generated on first start and kept in the data folder, owner-only. Browsers subscribe against the public key,
 * so it must not change: several nodes need the same pair, from the environment.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';
import { PRIVATE_FILE_MODE, privateFolder, VAPID_FILE_NAME } from '../private-files.ts';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** True when generated into DATA_DIR rather than configured. */
  generated: boolean;
}

export function loadVapidKeys(configured: { publicKey?: string | undefined; privateKey?: string | undefined }, dataDir: string): VapidKeys {
  if (configured.publicKey && configured.privateKey) return { publicKey: configured.publicKey, privateKey: configured.privateKey, generated: false };
  const file = join(dataDir, VAPID_FILE_NAME);
  const stored = readStored(file);
  if (stored) return stored;
  privateFolder(dataDir, false);
  const keys = webpush.generateVAPIDKeys();
  // 'wx' fails if another process created it meanwhile; then we read theirs.
  try {
    writeFileSync(file, JSON.stringify(keys) + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    chmodSync(file, PRIVATE_FILE_MODE); // the mode given at creation is masked by the umask
    return { ...keys, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readStored(file)!;
    throw error;
  }
}

function readStored(file: string): VapidKeys | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const { publicKey, privateKey } = JSON.parse(text) as Partial<VapidKeys>;
  if (typeof publicKey !== 'string' || typeof privateKey !== 'string') throw new Error(`${file} does not hold a VAPID key pair; delete it to generate a new one`);
  return { publicKey, privateKey, generated: true };
}
