/**
 * `cli bot create|update|list|delete`: the console's bot actions for scripted set-ups, through the same use cases
 * (server/app/bots.ts). A running server meets the change through a `bot.refresh` job its worker runs.
 */
import { parseArgs } from 'node:util';
import { ApiKeyService } from '../app/api-keys.ts';
import { BotService } from '../app/bots.ts';
import { AppError } from '../app/errors.ts';
import { newId } from '../app/ids.ts';
import type { Store } from '../app/ports.ts';
import { wallClock } from '../domain/clock.ts';
import { JobOutbox } from '../jobs/outbox.ts';
import { createBot, updateBot } from '../validation/bots.ts';
import { parse } from '../validation/parse.ts';
import { siteByKey } from './site-by-key.ts';

export const BOT_USAGE = `  cli bot create --site KEY --kind rule|webhook|openai [--name NAME] [--when always|closed|no-agent] [--capacity N] [--timeout MS]
      [--url URL] (webhook) [--base-url URL --model M [--api-key K]] (openai) [--config JSON] (any kind's full settings) [--json]
  cli bot update --id ID [--name NAME] [--when …] [--capacity N] [--timeout MS] [--enabled true|false] [--config JSON] [--json]
  cli bot list [--site KEY] [--json]
  cli bot delete --id ID [--json]`;

/** The first active admin: a webhook bot's API key records who created it. */
async function firstAdmin(store: Store): Promise<string> {
  const admin = (await store.agents.list()).find((a) => a.role === 'admin' && a.active);
  if (!admin) throw new AppError('BAD_REQUEST', 'No active admin: create one first');
  return admin.id;
}

function kindConfig(values: Record<string, string | boolean | undefined>): unknown {
  if (typeof values.config === 'string') {
    try {
      return JSON.parse(values.config);
    } catch {
      throw new AppError('BAD_REQUEST', '--config must be a JSON object');
    }
  }
  if (values.kind === 'webhook') return { url: values.url };
  if (values.kind === 'openai') return { baseUrl: values['base-url'], model: values.model, ...(values['api-key'] !== undefined && { apiKey: values['api-key'] }) };
  return { rules: [] };
}

export async function botCommand(args: string[], store: Store): Promise<string> {
  const [verb, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      site: { type: 'string' },
      kind: { type: 'string' },
      name: { type: 'string' },
      when: { type: 'string' },
      capacity: { type: 'string' },
      timeout: { type: 'string' },
      url: { type: 'string' },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'api-key': { type: 'string' },
      config: { type: 'string' },
      id: { type: 'string' },
      enabled: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const outbox = new JobOutbox(store.jobs, wallClock);
  const refresh = (agentId: string) => outbox.enqueue('bot.refresh', `bot.refresh:${agentId}:${newId()}`, { agentId });
  const bots = new BotService(store, refresh, new ApiKeyService(store.apiKeys, store, wallClock));
  const out = (data: unknown, text: string) => (values.json ? JSON.stringify(data) : text);
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

  switch (verb) {
    case 'create': {
      if (!values.site) throw new AppError('BAD_REQUEST', `--site is required\n${BOT_USAGE}`);
      const siteId = (await siteByKey(store.sites, values.site)).id;
      const request = parse(createBot, {
        name: values.name ?? 'Bot',
        kind: values.kind,
        ...(values.when !== undefined && { when: values.when }),
        ...(values.capacity !== undefined && { capacity: number(values.capacity) }),
        ...(values.timeout !== undefined && { timeoutMs: number(values.timeout) }),
        config: kindConfig(values),
      });
      const created = await bots.create(siteId, request, await firstAdmin(store));
      const once = created.apiKey ? `\nSigning secret (shown once): ${created.secret}\nAPI key (shown once): ${created.apiKey}` : '';
      return out(created, `Bot ${created.id} (${created.kind}) created.${once}`);
    }
    case 'update': {
      if (!values.id) throw new AppError('BAD_REQUEST', `--id is required\n${BOT_USAGE}`);
      const enabled = values.enabled === undefined ? undefined : values.enabled === 'true' ? true : values.enabled === 'false' ? false : values.enabled;
      const request = parse(updateBot, {
        ...(values.name !== undefined && { name: values.name }),
        ...(values.when !== undefined && { when: values.when }),
        ...(values.capacity !== undefined && { capacity: number(values.capacity) }),
        ...(values.timeout !== undefined && { timeoutMs: number(values.timeout) }),
        ...(enabled !== undefined && { enabled }),
        ...(values.config !== undefined && { config: kindConfig(values) }),
      });
      const updated = await bots.update(values.id, request);
      return out(updated, `Bot ${updated.id} (${updated.kind}) updated.`);
    }
    case 'list': {
      const siteId = values.site === undefined ? undefined : (await siteByKey(store.sites, values.site)).id;
      const list = await bots.list(siteId);
      return out(list, list.map((b) => `${b.id} ${b.kind} ${b.when} ${b.enabled ? 'enabled' : 'disabled'} ${b.name}`).join('\n'));
    }
    case 'delete': {
      if (!values.id) throw new AppError('BAD_REQUEST', `--id is required\n${BOT_USAGE}`);
      return out({ deleted: true, bot: await bots.delete(values.id) }, 'Bot deleted; the conversations it held go back to the queue.');
    }
    default:
      throw new AppError('BAD_REQUEST', `Usage:\n${BOT_USAGE}`);
  }
}
