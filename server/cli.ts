/**
 * `npm run --silent cli -- site create --name NAME --origin ORIGIN [--origin ...] [--json]`
 * `npm run --silent cli -- site rotate-visitor-key --key SITE_KEY [--json]`
 * `npm run --silent cli -- site update --key SITE_KEY [--name N] [--origin O ...] [--settings JSON] [--json]` (server/cli/site-update.ts)
 * `npm run --silent cli -- agent create --email E --password P [--name N] [--role agent|admin] [--capacity N] [--site KEY ...] [--json]`
 * `npm run --silent cli -- apikey create|list|revoke …` (server/cli/apikey.ts)
 * `npm run --silent cli -- webhook create|list|delete|replay|… [--json]` (server/cli/webhook.ts)
 * `npm run --silent cli -- kb import|list|delete|eval …` (server/cli/kb.ts)
 * `npm run --silent cli -- bot create|list|delete … [--json]` (server/cli/bot.ts)
 * `npm run --silent cli -- capacity --daily-visitors N --minutes T [--json]` (server/cli/capacity.ts)
 */
import { parseArgs } from 'node:util';
import { migrate } from '../prisma/migrate.ts';
import { AdminService, rotateVisitorKey, snippet } from './app/admin.ts';
import { AppError } from './app/errors.ts';
import { newId } from './app/ids.ts';
import type { Store } from './app/ports.ts';
import { APIKEY_USAGE, apikey } from './cli/apikey.ts';
import { BOT_USAGE, botCommand } from './cli/bot.ts';
import { CAPACITY_USAGE, capacityPlan, capacityText } from './cli/capacity.ts';
import { KB_USAGE, kbCommand } from './cli/kb.ts';
import { siteByKey } from './cli/site-by-key.ts';
import { SITE_UPDATE_USAGE, siteUpdate } from './cli/site-update.ts';
import { WEBHOOK_USAGE, webhookCommand } from './cli/webhook.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createDatabase } from './db/client.ts';
import { securePrivateFiles } from './private-files.ts';
import { createStore } from './db/store.ts';

const USAGE = `Usage:
  cli site create --name NAME --origin ORIGIN [--origin ORIGIN ...] [--json]
  cli site rotate-visitor-key --key SITE_KEY [--json]
${SITE_UPDATE_USAGE}
  cli agent create --email EMAIL --password PASSWORD [--name NAME] [--role agent|admin] [--capacity N] [--site KEY ...] [--json]
${APIKEY_USAGE}
${WEBHOOK_USAGE}
${KB_USAGE}
${BOT_USAGE}
${CAPACITY_USAGE}`;

/** Runs `use` on the stores of this configuration's migrated database, closed afterwards. */
async function withStore<T>(use: (store: Store, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // The CLI may be the first to create the database: owner-only, as the server makes it.
  securePrivateFiles({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, secretInDataDir: false });
  await migrate(config.DATABASE_URL);
  const database = createDatabase(config.DATABASE_URL);
  try {
    // The CLI sends no messages, so it never needs attachment links.
    return await use(createStore(database, newId, { attachmentUrl: () => '' }), config);
  } finally {
    await database.close();
  }
}

/** Where the server is reached, for snippets and article links. */
const publicUrlOf = (config: Config) => (config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : `http://localhost:${config.PORT}`);

/** `capacity`: reads the database, writes nothing. */
async function capacity(args: string[]): Promise<string> {
  return withStore(async (store) => {
    const { plan, json } = await capacityPlan(args, store);
    return json ? JSON.stringify(plan) : capacityText(plan);
  });
}

async function run(argv: string[]): Promise<string> {
  if (argv[0] === 'capacity') return capacity(argv.slice(1));
  if (argv[0] === 'apikey') return withStore((store) => apikey(argv.slice(1), store));
  if (argv[0] === 'kb') return withStore((store, config) => kbCommand(argv.slice(1), store, publicUrlOf(config)));
  if (argv[0] === 'webhook') return withStore((store, config) => webhookCommand(argv.slice(1), store, config));
  if (argv[0] === 'bot') return withStore((store) => botCommand(argv.slice(1), store));
  const [noun, verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      origin: { type: 'string', multiple: true },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'agent' },
      capacity: { type: 'string' },
      site: { type: 'string', multiple: true },
      key: { type: 'string' },
      settings: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const known = (noun === 'site' && (verb === 'create' || verb === 'rotate-visitor-key' || verb === 'update')) || (noun === 'agent' && verb === 'create');
  if (!known) throw new AppError('BAD_REQUEST', USAGE);

  if (verb === 'update') return withStore((store) => siteUpdate(values, store));
  return withStore(async (store, config) => {
    const admin = new AdminService(store);
    if (verb === 'rotate-visitor-key') {
      if (!values.key) throw new AppError('BAD_REQUEST', `--key is required\n${USAGE}`);
      const found = await siteByKey(store.sites, values.key);
      // This process holds no connections: the server refuses the old tokens at their next handshake or session request.
      const site = await rotateVisitorKey(store, { siteVisitorsRevoked: () => undefined }, found.id);
      const out = { key: site.publicKey, id: site.id, visitorKeyVersion: site.visitorKeyVersion };
      return values.json ? JSON.stringify(out) : `Visitor key of "${site.name}" rotated: earlier visitor tokens are refused.`;
    }
    if (noun === 'site') {
      if (!values.name || !values.origin) throw new AppError('BAD_REQUEST', `--name and --origin are required\n${USAGE}`);
      const site = await admin.createSite({ name: values.name, origins: values.origin });
      const out = { key: site.publicKey, snippet: snippet(publicUrlOf(config), site.publicKey), id: site.id, name: site.name, origins: site.allowedOrigins, identitySecret: site.identitySecret };
      return values.json ? JSON.stringify(out) : `Site "${site.name}" created.\nKey: ${out.key}\nSnippet: ${out.snippet}`;
    }
    if (!values.email || !values.password) throw new AppError('BAD_REQUEST', `--email and --password are required\n${USAGE}`);
    if (values.role !== 'agent' && values.role !== 'admin') throw new AppError('BAD_REQUEST', '--role must be agent or admin');
    const capacity = values.capacity === undefined ? undefined : Number(values.capacity);
    const agent = await admin.createAgent({
      email: values.email,
      password: values.password,
      name: values.name,
      role: values.role,
      capacity,
      siteIds: values.site && (await Promise.all(values.site.map(async (key) => (await siteByKey(store.sites, key)).id))),
    });
    const out = { id: agent.id, email: agent.email, name: agent.name, role: agent.role, capacity: agent.capacity, sites: agent.siteIds };
    return values.json ? JSON.stringify(out) : `Agent ${agent.email} (${agent.role}) created.`;
  });
}

run(process.argv.slice(2)).then(
  (output) => process.stdout.write(output + '\n'),
  (error: unknown) => {
    const message = error instanceof AppError || error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
    const code = error instanceof AppError ? error.code : 'ERROR';
    if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n');
    else process.stderr.write(`${message}\n`);
    process.exit(error instanceof AppError && error.code === 'BAD_REQUEST' ? 2 : 1);
  },
);
