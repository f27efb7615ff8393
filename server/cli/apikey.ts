/**
 * `cli apikey create --name N --scopes a,b [--site KEY] [--expires 30d] [--agent EMAIL] [--json]` prints the key
 * once; `cli apikey list [--json]`; `cli apikey revoke --id ID [--json]`. The same use case as the admin API.
 */
import { parseArgs } from 'node:util';
import { ApiKeyService } from '../app/api-keys.ts';
import { AppError } from '../app/errors.ts';
import type { Store } from '../app/ports.ts';
import { wallClock } from '../domain/clock.ts';
import { createApiKey } from '../validation/api-keys.ts';
import { parse } from '../validation/parse.ts';
import { siteByKey } from './site-by-key.ts';

export const APIKEY_USAGE = `  cli apikey create --name NAME --scopes SCOPE[,SCOPE...] [--site SITE_KEY] [--expires 30d] [--agent EMAIL] [--json]
  cli apikey list [--json]
  cli apikey revoke --id ID [--json]`;

/** The agent a key acts as: --agent, else the first active admin. */
async function actingAgent(store: Store, email: string | undefined): Promise<string> {
  if (email !== undefined) {
    const agent = await store.agents.findByEmail(email.trim().toLowerCase());
    if (!agent) throw new AppError('NOT_FOUND', `No agent with email ${email}`);
    return agent.id;
  }
  const admin = (await store.agents.list()).find((a) => a.role === 'admin' && a.active);
  if (!admin) throw new AppError('BAD_REQUEST', 'No active admin to act as: pass --agent EMAIL');
  return admin.id;
}

function expiresInDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,4})d$/.exec(value);
  if (!match) throw new AppError('BAD_REQUEST', `--expires must be a number of days such as 30d\n${APIKEY_USAGE}`);
  return Number(match[1]);
}

export async function apikey(args: string[], store: Store): Promise<string> {
  const [verb, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      site: { type: 'string' },
      expires: { type: 'string' },
      agent: { type: 'string' },
      id: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const keys = new ApiKeyService(store.apiKeys, store, wallClock);
  if (verb === 'create') {
    const request = parse(createApiKey, {
      name: values.name,
      scopes: values.scopes?.split(',').map((s) => s.trim()),
      ...(values.site !== undefined && { siteId: (await siteByKey(store.sites, values.site)).id }),
      ...(values.expires !== undefined && { expiresInDays: expiresInDays(values.expires) }),
    });
    const created = await keys.create(request, await actingAgent(store, values.agent));
    return values.json ? JSON.stringify({ id: created.id, key: created.key }) : `API key "${created.apiKey.name}" created; it is shown only now:\n${created.key}`;
  }
  if (verb === 'list') {
    const list = await keys.list();
    if (values.json) return JSON.stringify(list);
    const state = (k: (typeof list)[number]) => (k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= Date.now() ? 'expired' : 'active');
    return list.map((k) => `${k.id}  ${k.name}  ${k.scopes.join(',')}  ${state(k)}  last used ${k.lastUsedAt ?? 'never'}`).join('\n') || 'No API keys.';
  }
  if (verb === 'revoke') {
    if (!values.id) throw new AppError('BAD_REQUEST', `--id is required\n${APIKEY_USAGE}`);
    const revoked = await keys.revoke(values.id);
    return values.json ? JSON.stringify(revoked) : `API key "${revoked.name}" revoked.`;
  }
  throw new AppError('BAD_REQUEST', `Usage:\n${APIKEY_USAGE}`);
}
