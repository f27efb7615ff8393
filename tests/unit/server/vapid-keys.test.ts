import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VAPID_FILE_NAME } from '../../../server/private-files.ts';
import { loadVapidKeys } from '../../../server/push/vapid-keys.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-vapid-'));
  dirs.push(dir);
  return dir;
};

describe('VAPID keys', () => {
  it('generates a P-256 pair on first start into an owner-only file, and reads the same pair afterwards', () => {
    const dir = dataDir();
    const first = loadVapidKeys({}, dir);
    expect(first.generated).toBe(true);
    expect(first.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(first.privateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, VAPID_FILE_NAME)).mode & 0o777).toBe(0o600);
    expect(loadVapidKeys({}, dir)).toEqual(first);
    expect(JSON.parse(readFileSync(join(dir, VAPID_FILE_NAME), 'utf8'))).toEqual({ publicKey: first.publicKey, privateKey: first.privateKey });
  });

  it('uses the configured pair and writes nothing', () => {
    const dir = dataDir();
    const configured = { publicKey: 'B'.repeat(87), privateKey: 'k'.repeat(43) };
    expect(loadVapidKeys(configured, dir)).toEqual({ ...configured, generated: false });
    expect(() => statSync(join(dir, VAPID_FILE_NAME))).toThrow();
  });
});
