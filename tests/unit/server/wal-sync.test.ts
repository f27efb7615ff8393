/** WalSync: every flush waits for a sync that began after it was called; callers who come meanwhile share one. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WalSync } from '../../../server/db/wal-sync.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A WalSync over a real file whose syncs the test finishes by hand, in order. */
function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
  dirs.push(dir);
  const file = join(dir, 'db-wal');
  writeFileSync(file, 'frames');
  const syncs: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const wal = new WalSync(file, () => new Promise((resolve, reject) => syncs.push({ resolve, reject })));
  return { wal, syncs };
}

const settled = async <T>(promise: Promise<T>) => {
  let state = 'pending';
  promise.then(() => (state = 'resolved'), () => (state = 'rejected'));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return state;
};

describe('WalSync', () => {
  it('starts a sync at once when none runs, and resolves when it ends', async () => {
    const { wal, syncs } = setUp();
    const flushed = wal.flush();
    expect(syncs).toHaveLength(1);
    expect(await settled(flushed)).toBe('pending');
    syncs[0]!.resolve();
    await flushed;
  });

  it('makes callers who come during a sync wait for one more, started after it, shared by all of them', async () => {
    const { wal, syncs } = setUp();
    const first = wal.flush();
    const second = wal.flush();
    const third = wal.flush();
    expect(syncs).toHaveLength(1);
    syncs[0]!.resolve();
    await first;
    await settled(second);
    expect(syncs).toHaveLength(2);
    expect(await settled(second)).toBe('pending');
    expect(await settled(third)).toBe('pending');
    syncs[1]!.resolve();
    await Promise.all([second, third]);
    expect(syncs).toHaveLength(2);
  });

  it('fails the callers of a sync that fails, and the next flush syncs again', async () => {
    const { wal, syncs } = setUp();
    const failing = wal.flush();
    const queued = wal.flush();
    syncs[0]!.reject(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(failing).rejects.toMatchObject({ code: 'EIO' });
    await settled(queued);
    expect(syncs).toHaveLength(2);
    syncs[1]!.resolve();
    await queued;
    const later = wal.flush();
    expect(syncs).toHaveLength(3);
    syncs[2]!.resolve();
    await later;
  });

  it('refuses to sync once closed', async () => {
    const { wal } = setUp();
    wal.close();
    await expect(wal.flush()).rejects.toThrow(/closed/);
  });
});
