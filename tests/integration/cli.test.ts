import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
const env = { ...process.env, DATA_DIR: dataDir, PUBLIC_URL: 'https://chat.example.com', LOG_LEVEL: 'silent' };
const cli = (...args: string[]) => run('npm', ['run', '--silent', 'cli', '--', ...args], { env, cwd: process.cwd() });

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run cli', () => {
  it('creates a site and prints its key and snippet as JSON, then an agent for it', async () => {
    const { stdout } = await cli('site', 'create', '--name', 'Acme', '--origin', 'https://acme.example', '--json');
    const site = JSON.parse(stdout) as { key: string; id: string; snippet: string; origins: string[] };
    expect(site.key).toMatch(/^site_[A-Za-z0-9_-]{16}$/);
    expect(site.snippet).toBe(`<script async src="https://chat.example.com/widget.js" data-site="${site.key}"></script>`);
    expect(site.origins).toEqual(['https://acme.example']);

    const agentOut = await cli('agent', 'create', '--email', 'Zoe@Acme.example', '--password', 'zoe-password', '--role', 'agent', '--site', site.key, '--json');
    expect(JSON.parse(agentOut.stdout)).toMatchObject({ email: 'zoe@acme.example', role: 'agent', capacity: 5, sites: [site.id] });
    // Without --site, every site that exists (as through the admin API).
    const everywhere = await cli('agent', 'create', '--email', 'ann@acme.example', '--password', 'ann-password', '--json');
    expect(JSON.parse(everywhere.stdout)).toMatchObject({ sites: [site.id] });
    const unknown = cli('agent', 'create', '--email', 'nobody@acme.example', '--password', 'nobody-password', '--site', 'site_nope', '--json');
    await expect(unknown).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('No site with key site_nope') });
  }, 60_000);

  it('fails with a clear JSON error and a non-zero exit for bad input', async () => {
    const attempt = cli('site', 'create', '--name', 'Bad', '--origin', 'not-an-origin', '--json');
    await expect(attempt).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('"code":"BAD_REQUEST"') });
    const wildcard = cli('site', 'create', '--name', 'Bad', '--origin', 'https://*', '--json');
    await expect(wildcard).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('no wildcard, path') });
    const duplicate = async () => {
      await cli('agent', 'create', '--email', 'dup@example.com', '--password', 'dup-password', '--json');
      return cli('agent', 'create', '--email', 'dup@example.com', '--password', 'dup-password', '--json');
    };
    await expect(duplicate()).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('"code":"CONFLICT"') });
  }, 60_000);
});
