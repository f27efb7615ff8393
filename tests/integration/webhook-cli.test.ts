/** `cli webhook …` against a fresh data directory: the same use cases as the admin API, scriptable with --json. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { WebhookDeliveryDTO, WebhookEndpointDTO } from '../../server/contract/webhooks.ts';

const run = promisify(execFile);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-cli-webhooks-'));
const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
const cli = (extra: Record<string, string>, ...args: string[]) => run('npm', ['run', '--silent', 'cli', '--', ...args], { env: { ...env, ...extra }, cwd: process.cwd() });
const json = async <T>(extra: Record<string, string>, ...args: string[]) => JSON.parse((await cli(extra, ...args, '--json')).stdout) as T;
const allowPrivate = { WEBHOOK_ALLOW_PRIVATE: 'true' };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run cli -- webhook', () => {
  it('creates, lists, tests, replays and deletes a webhook', async () => {
    const site = await json<{ key: string }>({}, 'site', 'create', '--name', 'Acme', '--origin', 'https://acme.example');
    const created = await json<{ id: string; secret: string }>(
      allowPrivate, 'webhook', 'create', '--site', site.key, '--url', 'http://127.0.0.1:9/hook', '--events', 'message.created,conversation.resolved',
    );
    expect(Object.keys(created).sort()).toEqual(['id', 'secret']);
    expect(created.secret).toMatch(/^whsec_/);
    const list = await json<WebhookEndpointDTO[]>({}, 'webhook', 'list', '--site', site.key);
    expect(list).toMatchObject([{ id: created.id, events: ['message.created', 'conversation.resolved'], enabled: true }]);
    expect(JSON.stringify(list)).not.toContain(created.secret);

    const test = await json<WebhookDeliveryDTO>({}, 'webhook', 'test', '--site', site.key, '--id', created.id);
    expect(test).toMatchObject({ eventType: 'webhook.test', status: 'pending' });
    const replayed = await json<WebhookDeliveryDTO>({}, 'webhook', 'replay', '--site', site.key, '--delivery', test.id);
    expect(replayed.webhookId).toBe(test.webhookId);
    expect(await json({}, 'webhook', 'deliveries', '--site', site.key, '--id', created.id)).toMatchObject([{ id: test.id }]);

    expect(await json({}, 'webhook', 'delete', '--site', site.key, '--id', created.id)).toEqual({ deleted: true });
    expect(await json({}, 'webhook', 'list', '--site', site.key)).toEqual([]);
  }, 120_000);

  it('refuses private targets, other schemes and unknown events with BAD_REQUEST and exit code 2', async () => {
    const site = await json<{ key: string }>({}, 'site', 'create', '--name', 'Bad', '--origin', 'https://bad.example');
    for (const [url, events, reason] of [
      ['http://127.0.0.1/hook', 'message.created', 'private or reserved'],
      ['http://169.254.169.254/latest', 'message.created', 'private or reserved'],
      ['file:///etc/passwd', 'message.created', 'http or https'],
      ['https://example.com/hook', 'message.deleted', 'events'],
    ]) {
      const attempt = cli({}, 'webhook', 'create', '--site', site.key, '--url', url!, '--events', events!, '--json');
      await expect(attempt).rejects.toMatchObject({ code: 2, stdout: expect.stringMatching(new RegExp(`"code":"BAD_REQUEST".*${reason}`)) });
    }
    expect(await json({}, 'webhook', 'list', '--site', site.key)).toEqual([]);
  }, 120_000);
});
