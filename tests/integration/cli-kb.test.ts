import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi } from '../support/fake-openai.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-kb-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://chat.example.com' };
const cli = async (...args: string[]) => JSON.parse((await run('npm', ['run', '--silent', 'cli', '--', ...args, '--json'], { env, cwd: process.cwd() })).stdout) as unknown;

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run cli -- kb', () => {
  it('imports a folder by file name, re-imports as updates, lists, evaluates and deletes', async () => {
    const site = (await cli('site', 'create', '--name', 'Acme', '--origin', 'https://acme.example')) as { key: string };
    const dir = join(dataDir, 'articles');
    mkdirSync(dir);
    writeFileSync(join(dir, 'reset-password.md'), '---\ntitle: Reset your password\ntags: [account, login]\n---\nOpen Settings, then Security.\n');
    writeFileSync(join(dir, 'refund-policy.md'), '---\ntitle: Refund policy\npublished: true\n---\nRefunds within 30 days.\n');
    writeFileSync(join(dir, 'roadmap.md'), '---\ntitle: Roadmap\ndraft: true\n---\nSecret.\n');
    writeFileSync(join(dir, 'notes.txt'), 'not an article');

    expect(await cli('kb', 'import', '--site', site.key, dir)).toEqual({ created: 3, updated: 0, unchanged: 0, failed: [] });
    writeFileSync(join(dir, 'refund-policy.md'), '---\ntitle: Refund policy\n---\nRefunds within 60 days.\n');
    expect(await cli('kb', 'import', '--site', site.key, dir)).toEqual({ created: 0, updated: 1, unchanged: 2, failed: [] });

    const listed = (await cli('kb', 'list', '--site', site.key)) as { slug: string; published: boolean; url: string; body: string }[];
    expect(listed.map((a) => [a.slug, a.published])).toEqual([
      ['refund-policy', true],
      ['reset-password', true],
      ['roadmap', false],
    ]);
    expect(listed[0]).toMatchObject({ body: 'Refunds within 60 days.', url: `https://chat.example.com/kb/${site.key}/refund-policy` });

    await cli('kb', 'eval', 'add', '--site', site.key, '--question', 'I forgot my password', '--article', 'reset-password');
    await cli('kb', 'eval', 'add', '--site', site.key, '--question', 'What is on the roadmap?', '--article', 'roadmap');
    const report = (await cli('kb', 'eval', 'run', '--site', site.key)) as { hitRate: number; rows: { hit: boolean }[] };
    // The draft is never retrieved: its question misses.
    expect(report.rows.map((r) => r.hit)).toEqual([true, false]);
    expect(report.hitRate).toBe(0.5);
    expect(((await cli('kb', 'eval', 'list', '--site', site.key)) as unknown[]).length).toBe(2);

    expect(await cli('kb', 'delete', '--site', site.key, '--slug', 'roadmap')).toEqual({ deleted: 'roadmap' });
    expect(((await cli('kb', 'eval', 'list', '--site', site.key)) as unknown[]).length).toBe(1);
    await expect(cli('kb', 'delete', '--site', site.key, '--slug', 'roadmap')).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('"code":"NOT_FOUND"') });
    await expect(cli('kb', 'list')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('--site is required') });
  }, 120_000);

  it('kb eval run asks the site\'s openai bot (made with bot create) each question, and prints what it did', async () => {
    const fake = await startFakeOpenAi([{ reply: 'Open Settings, then Security [1].', usage: { prompt: 200, completion: 9 } }, { handoff: 'needs a person' }]);
    try {
      const site = (await cli('site', 'create', '--name', 'Bolt', '--origin', 'https://bolt.example')) as { key: string };
      const dir = join(dataDir, 'bolt');
      mkdirSync(dir);
      writeFileSync(join(dir, 'reset-password.md'), '---\ntitle: Reset your password\n---\nOpen Settings, then Security.\n');
      writeFileSync(join(dir, 'refund-policy.md'), '---\ntitle: Refund policy\n---\nRefunds within 30 days.\n');
      await cli('kb', 'import', '--site', site.key, dir);
      // A bot's agent row records the admin who made it.
      await cli('agent', 'create', '--email', 'boss@example.com', '--password', 'boss-password-1', '--role', 'admin');
      await cli('bot', 'create', '--site', site.key, '--kind', 'openai', '--name', 'Sam', '--base-url', fake.baseUrl, '--model', 'llama3.2:3b');
      await cli('kb', 'eval', 'add', '--site', site.key, '--question', 'I forgot my password', '--article', 'reset-password');
      await cli('kb', 'eval', 'add', '--site', site.key, '--question', 'How do refunds work?', '--article', 'refund-policy');

      const report = (await cli('kb', 'eval', 'run', '--site', site.key)) as { rows: { ai?: { outcome: string; handoffReason?: string; citedExpected: boolean } }[]; ai?: object };
      expect(report.rows.map((r) => r.ai && [r.ai.outcome, r.ai.handoffReason, r.ai.citedExpected])).toEqual([
        ['answered', undefined, true],
        ['handed-off', 'bot-asked', false],
      ]);
      expect(report.ai).toMatchObject({ botName: 'Sam', answered: 1, handedOff: 1, citedExpected: 1, promptTokens: 200 + 321, completionTokens: 9 + 12 });
      expect(fake.requests.map((r) => r.body.model)).toEqual(['llama3.2:3b', 'llama3.2:3b']);

      fake.script.push({ reply: 'Open Settings [1].' }, { reply: 'Within 30 days.' });
      const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'kb', 'eval', 'run', '--site', site.key], { env, cwd: process.cwd() });
      expect(stdout).toContain('answered, cited\treset-password\tI forgot my password');
      expect(stdout).toContain('answered, not cited\trefund-policy');
      expect(stdout).toContain('Sam: answered 2, handed off 0, cited the expected article 1 of 2');
    } finally {
      await fake.close();
    }
  }, 120_000);
});
