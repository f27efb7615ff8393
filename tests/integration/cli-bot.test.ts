/** `cli bot …` against a fresh data directory: the same use cases as the admin API, scriptable with --json. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BotDTO, CreatedBotDTO } from '../../server/contract/bots.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-bots-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
const cli = (...args: string[]) => run('npm', ['run', '--silent', 'cli', '--', ...args], { env, cwd: process.cwd() });
const json = async <T>(...args: string[]) => JSON.parse((await cli(...args, '--json')).stdout) as T;

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run cli -- bot', () => {
  it('creates rule, webhook and openai bots, lists them with secrets masked, and deletes one', async () => {
    await json('agent', 'create', '--email', 'boss@example.com', '--password', 'boss-password-1', '--role', 'admin');
    const site = await json<{ key: string; id: string }>('site', 'create', '--name', 'Acme', '--origin', 'https://acme.example');
    const rules = JSON.stringify({ rules: [{ type: 'keyword', match: 'hours', answer: '9 to 5' }], collectEmail: true });
    const rule = await json<CreatedBotDTO>('bot', 'create', '--site', site.key, '--kind', 'rule', '--name', 'Rules', '--when', 'closed', '--config', rules);
    expect(rule).toMatchObject({ siteId: site.id, kind: 'rule', when: 'closed', capacity: 20, timeoutMs: 15_000, enabled: true, config: JSON.parse(rules) });

    const hook = await json<CreatedBotDTO>('bot', 'create', '--site', site.key, '--kind', 'webhook', '--url', 'https://bot.example/turn', '--capacity', '3');
    expect(hook.secret).toMatch(/^whsec_/);
    expect(hook.apiKey).toMatch(/^pk_/);
    const ai = await json<CreatedBotDTO>(
      'bot', 'create', '--site', site.key, '--kind', 'openai', '--base-url', 'http://127.0.0.1:8080/v1', '--model', 'small', '--api-key', 'sk-secret-1234', '--when', 'no-agent',
    );
    expect(ai.config).toEqual({ baseUrl: 'http://127.0.0.1:8080/v1', model: 'small', apiKey: '…1234' });

    const list = await json<BotDTO[]>('bot', 'list', '--site', site.key);
    expect(list.map((b) => b.id)).toEqual([rule.id, hook.id, ai.id]);
    const text = JSON.stringify(list);
    expect(text).not.toContain(hook.secret!);
    expect(text).not.toContain('sk-secret-1234');

    const updated = await json<BotDTO>('bot', 'update', '--id', rule.id, '--when', 'always', '--capacity', '7', '--enabled', 'false');
    expect(updated).toMatchObject({ id: rule.id, when: 'always', capacity: 7, enabled: false, config: JSON.parse(rules) });
    await expect(cli('bot', 'update', '--id', rule.id, '--capacity', '0', '--json')).rejects.toMatchObject({ code: 2 });

    expect(await json('bot', 'delete', '--id', hook.id)).toMatchObject({ deleted: true, bot: { id: hook.id } });
    expect((await json<BotDTO[]>('bot', 'list')).map((b) => b.id)).toEqual([rule.id, ai.id]);
  }, 120_000);

  it('refuses an unsafe pattern, an unknown kind, a non-http webhook URL and a missing base URL with BAD_REQUEST and exit code 2', async () => {
    const site = await json<{ key: string }>('site', 'create', '--name', 'Bad', '--origin', 'https://bad.example');
    for (const [args, reason] of [
      [['--kind', 'rule', '--config', JSON.stringify({ rules: [{ type: 'regex', match: '(a+)+$', answer: 'x' }] })], 'must not repeat a group'],
      [['--kind', 'robot'], 'kind'],
      [['--kind', 'webhook', '--url', 'file:///etc/passwd'], 'http or https'],
      [['--kind', 'openai', '--model', 'm'], 'baseUrl'],
    ] as const) {
      const attempt = cli('bot', 'create', '--site', site.key, ...args, '--json');
      await expect(attempt).rejects.toMatchObject({ code: 2, stdout: expect.stringMatching(new RegExp(`"code":"BAD_REQUEST".*${reason.replace(/[()+$]/g, '\\$&')}`)) });
    }
  }, 120_000);
});
