/**
 * `cli webhook …`: the console's webhook actions for scripted set-ups, through the same use cases
 * (server/app/webhooks.ts). Jobs it enqueues (replays, test events) are sent by the running server's worker.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../app/errors.ts';
import type { Store } from '../app/ports.ts';
import { webhookEndpointCache } from '../app/webhook-endpoint-cache.ts';
import { WebhookService } from '../app/webhooks.ts';
import type { Config } from '../config.ts';
import { wallClock } from '../domain/clock.ts';
import { JobOutbox } from '../jobs/outbox.ts';
import { parse } from '../validation/parse.ts';
import { createWebhook } from '../validation/webhooks.ts';
import { resolveTarget } from '../webhooks/address-guard.ts';
import { siteByKey } from './site-by-key.ts';

export const WEBHOOK_USAGE = `  cli webhook create --site KEY --url URL --events TYPE[,TYPE...] [--json]
  cli webhook list --site KEY [--json]
  cli webhook delete|rotate-secret|enable|test|deliveries --site KEY --id WEBHOOK_ID [--json]
  cli webhook replay --site KEY --delivery DELIVERY_ID [--json]`;

const VERBS = ['create', 'list', 'delete', 'rotate-secret', 'enable', 'test', 'deliveries', 'replay'] as const;

export async function webhookCommand(argv: string[], store: Store, config: Config): Promise<string> {
  const [verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      site: { type: 'string' },
      url: { type: 'string' },
      events: { type: 'string' },
      id: { type: 'string' },
      delivery: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!VERBS.includes(verb as (typeof VERBS)[number])) throw new AppError('BAD_REQUEST', `Usage:\n${WEBHOOK_USAGE}`);
  if (!values.site) throw new AppError('BAD_REQUEST', `--site is required\n${WEBHOOK_USAGE}`);
  const siteId = (await siteByKey(store.sites, values.site)).id;
  const webhooks = new WebhookService({
    webhooks: store.webhooks,
    // A running server hears of these changes within its cache's maximum age (this process is not in its cluster).
    endpoints: webhookEndpointCache(store.webhooks, wallClock),
    sites: store.sites,
    outbox: new JobOutbox(store.jobs, wallClock),
    clock: wallClock,
    checkTarget: (url) => resolveTarget(url, config.WEBHOOK_ALLOW_PRIVATE),
  });
  const endpointId = () => {
    if (!values.id) throw new AppError('BAD_REQUEST', `--id is required\n${WEBHOOK_USAGE}`);
    return values.id;
  };
  const out = (data: unknown, text: string) => (values.json ? JSON.stringify(data) : text);

  switch (verb) {
    case 'create': {
      const request = parse(createWebhook, { url: values.url, events: values.events?.split(',').map((e) => e.trim()) });
      const created = await webhooks.create(siteId, request);
      return out(created, `Webhook ${created.id} created. Secret (shown once): ${created.secret}`);
    }
    case 'list': {
      const list = await webhooks.list(siteId);
      return out(list, list.map((w) => `${w.id} ${w.enabled ? 'enabled' : `disabled (${w.disabledReason})`} ${w.url} ${w.events.join(',')}`).join('\n'));
    }
    case 'delete':
      await webhooks.delete(siteId, endpointId());
      return out({ deleted: true }, 'Webhook deleted.');
    case 'rotate-secret': {
      const rotated = await webhooks.rotateSecret(siteId, endpointId());
      return out(rotated, `New secret (the previous one signs too for 24 hours): ${rotated.secret}`);
    }
    case 'enable':
      return out(await webhooks.enable(siteId, endpointId()), 'Webhook enabled.');
    case 'test':
      return out(await webhooks.sendTest(siteId, endpointId()), 'Test event queued.');
    case 'deliveries': {
      const log = await webhooks.deliveries(siteId, endpointId());
      return out(log, log.map((d) => `${d.createdAt} ${d.webhookId} ${d.eventType} ${d.status} ${d.lastStatusCode ?? d.lastError ?? ''}`).join('\n'));
    }
    default: {
      if (!values.delivery) throw new AppError('BAD_REQUEST', `--delivery is required\n${WEBHOOK_USAGE}`);
      return out(await webhooks.replay(siteId, values.delivery), 'Delivery queued again.');
    }
  }
}
