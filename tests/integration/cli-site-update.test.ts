/** `cli site update`: every site setting the console edits, validated like the admin API, through the same use case. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-site-'));
const env = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: 'https://chat.example.com', LOG_LEVEL: 'silent' };
const cli = (...args: string[]) => run('npm', ['run', '--silent', 'cli', '--', ...args], { env, cwd: process.cwd() });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run cli -- site update', () => {
  it('changes settings, name and origins, and refuses what the admin API refuses', async () => {
    const site = JSON.parse((await cli('site', 'create', '--name', 'Acme', '--origin', 'https://acme.example', '--json')).stdout) as { key: string };

    const settings = JSON.stringify({ emailAfterMinutes: 1, emailOfflineMessagesToAgents: false, color: '#0f766e', prechat: { emailRequired: true } });
    const updated = JSON.parse((await cli('site', 'update', '--key', site.key, '--settings', settings, '--json')).stdout);
    expect(updated.widgetSettings).toMatchObject({ emailAfterMinutes: 1, emailOfflineMessagesToAgents: false, color: '#0f766e', prechat: { emailRequired: true } });
    // Merged, not replaced: what was not given keeps its value.
    expect(updated.widgetSettings).toMatchObject({ alertAfterSeconds: 30, position: 'right' });

    const renamed = JSON.parse((await cli('site', 'update', '--key', site.key, '--name', 'Acme Ltd', '--origin', 'https://acme.example', '--origin', 'https://shop.acme.example:8443', '--json')).stdout);
    expect(renamed).toMatchObject({ name: 'Acme Ltd', origins: ['https://acme.example', 'https://shop.acme.example:8443'] });
    expect(renamed.widgetSettings.emailAfterMinutes).toBe(1);

    const refused = async (args: string[], message: string) =>
      expect(cli('site', 'update', '--key', site.key, ...args, '--json')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining(message) });
    await refused(['--settings', '{"emailAfterMinutes":0}'], 'widgetSettings.emailAfterMinutes');
    await refused(['--settings', '{"emailAfterMinutes":"soon"}'], 'widgetSettings.emailAfterMinutes');
    await refused(['--settings', '{"unknownSetting":true}'], '"code":"BAD_REQUEST"');
    await refused(['--settings', '{not json'], '--settings must be a JSON object');
    await refused(['--origin', 'https://*.acme.example'], 'no wildcard');
    await expect(cli('site', 'update', '--key', 'site_nope', '--settings', '{}', '--json')).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('No site with key site_nope') });
    // Nothing refused was stored.
    const after = JSON.parse((await cli('site', 'update', '--key', site.key, '--json')).stdout);
    expect(after.widgetSettings.emailAfterMinutes).toBe(1);
    expect(after.origins).toHaveLength(2);
  }, 120_000);
});
