import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
const cli = (...args: string[]) => run('npm', ['run', '--silent', 'cli', '--', ...args], { env, cwd: process.cwd() });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run cli -- apikey', () => {
  it('creates a key (printed once), lists it without the key and revokes it', async () => {
    // The CLI acts as the first admin, so one must exist: an agent command on a fresh database makes none.
    await cli('agent', 'create', '--email', 'boss@example.com', '--password', 'boss-password', '--role', 'admin', '--json');
    const site = JSON.parse((await cli('site', 'create', '--name', 'Acme', '--origin', 'https://acme.example', '--json')).stdout) as { key: string; id: string };
    const created = JSON.parse((await cli('apikey', 'create', '--name', 'CRM', '--scopes', 'conversations:read,conversations:write', '--site', site.key, '--expires', '30d', '--json')).stdout) as Record<string, string>;
    expect(Object.keys(created).sort()).toEqual(['id', 'key']);
    expect(created.key).toMatch(/^pk_/);

    const listed = JSON.parse((await cli('apikey', 'list', '--json')).stdout) as { id: string; scopes: string[]; siteId: string; revokedAt: string | null }[];
    expect(listed).toMatchObject([{ id: created.id, scopes: ['conversations:read', 'conversations:write'], siteId: site.id, revokedAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const revoked = JSON.parse((await cli('apikey', 'revoke', '--id', created.id!, '--json')).stdout) as { revokedAt: string | null };
    expect(revoked.revokedAt).not.toBeNull();
  }, 60_000);

  it('refuses an unknown scope or a bad expiry with BAD_REQUEST and exit code 2', async () => {
    await expect(cli('apikey', 'create', '--name', 'x', '--scopes', 'everything', '--json')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('"code":"BAD_REQUEST"') });
    await expect(cli('apikey', 'create', '--name', 'x', '--scopes', 'admin', '--expires', 'soon', '--json')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('--expires') });
  }, 60_000);
});
