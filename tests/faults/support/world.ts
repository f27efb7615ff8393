/**
 * A real Parley process for fault tests: its own data folder (kept across restarts), a fixed port on
 * 127.0.0.1, a site and agents made with Parley's own AdminService before the first start (what the CLI
 * does), and resilient visitors and agents. Everything it starts is registered with the test's Teardown.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../../../prisma/migrate.ts';
import { AdminService } from '../../../server/app/admin.ts';
import { newId } from '../../../server/app/ids.ts';
import { createDatabase } from '../../../server/db/client.ts';
import { createStore } from '../../../server/db/store.ts';
import { ResilientAgent, ResilientVisitor, type ResilientClient } from '../../support/resilient-client.ts';
import { spawnServer, type SpawnedServer } from '../../support/spawn-server.ts';
import type { Teardown } from './bounded.ts';

export const SITE_ORIGIN = 'https://shop.example.com';
const CONNECT_BATCH = 20;

export interface Credentials {
  email: string;
  password: string;
}

export interface WorldOptions {
  agents: number;
  capacity: number;
  /** Server settings on top of the defaults below. */
  env?: Record<string, string>;
  /** Folder to create the data folder in (e.g. a small tmpfs); default the system temp folder. */
  parent?: string;
}

export class World {
  server: SpawnedServer | null = null;
  readonly log = new ServerLog();
  private constructor(
    private readonly teardown: Teardown,
    readonly dataDir: string,
    readonly port: number,
    readonly siteKey: string,
    readonly agents: Credentials[],
    private readonly env: Record<string, string>,
  ) {}

  static async create(teardown: Teardown, options: WorldOptions): Promise<World> {
    const dataDir = await mkdtemp(join(options.parent ?? tmpdir(), 'parley-faults-'));
    teardown.add('remove data folder', () => rm(dataDir, { recursive: true, force: true }));
    const { siteKey, agents } = await seed(dataDir, options.agents, options.capacity);
    // One node on SQLite whatever the shell says (empty counts as unset); all clients come from 127.0.0.1.
    const env = { REDIS_URL: '', PUBLIC_URL: '', TRUST_PROXY: 'false', RATE_LIMIT_SCALE: '1000', SHUTDOWN_TIMEOUT_MS: '3000', ...options.env };
    const world = new World(teardown, dataDir, await freePort(), siteKey, agents, env);
    teardown.add('stop server', () => world.server?.stop());
    return world;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get databaseFile(): string {
    return join(this.dataDir, 'parley.db');
  }

  /** Starts (or starts again) the server on the same port and data folder. */
  async start(): Promise<SpawnedServer> {
    this.server = await spawnServer({ dataDir: this.dataDir, port: this.port, env: this.env, onLine: (line) => this.log.line(line) });
    return this.server;
  }

  /**
   * Visitors and agents (the seeded ones from `firstAgent` on) connected through `url`: the server, or a
   * proxy in front of it. Agents connect first, so conversations are assigned as they open.
   */
  async connect(counts: { visitors: number; agents: number; firstAgent?: number }, url = this.url) {
    const first = counts.firstAgent ?? 0;
    const agents = this.agents
      .slice(first, first + counts.agents)
      .map((credentials, i) => new ResilientAgent({ url, origin: url, name: `agent${first + i}` }, credentials));
    const visitors = Array.from(
      { length: counts.visitors },
      (_, i) => new ResilientVisitor({ url, origin: SITE_ORIGIN, name: `visitor${i}` }, this.siteKey),
    );
    for (const client of [...agents, ...visitors]) this.teardown.add(`close ${client.options.name}`, () => client.close());
    await startAll(agents);
    await startAll(visitors);
    return { visitors, agents };
  }
}

/** Warnings and errors the server logged (pino JSON on stdout), counted by message. */
export class ServerLog {
  readonly counts = new Map<string, number>();

  line(line: string): void {
    let entry: { level?: number; msg?: string; err?: { code?: string; message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if ((entry.level ?? 0) < 40) return;
    // Prisma puts the cause on the last line of its message ("Operation has timed out").
    const cause = [entry.err?.code, entry.err?.message?.trim().split('\n').pop()?.trim().slice(0, 120)].filter(Boolean).join(': ');
    const key = `${entry.level! >= 50 ? 'error' : 'warn'} "${entry.msg}"${cause ? ` (${cause})` : ''}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  summary(): string {
    return [...this.counts].map(([key, n]) => `${n}x ${key}`).join('; ') || 'none';
  }
}

async function startAll(clients: ResilientClient[]): Promise<void> {
  for (let i = 0; i < clients.length; i += CONNECT_BATCH) {
    await Promise.all(clients.slice(i, i + CONNECT_BATCH).map((client) => client.start()));
  }
}

/** One site and `count` agents of it, in a fresh database, before the server first starts. */
async function seed(dataDir: string, count: number, capacity: number) {
  const url = `file:${join(dataDir, 'parley.db')}`;
  await migrate(url);
  const database = createDatabase(url);
  try {
    const admin = new AdminService(createStore(database, newId, { attachmentUrl: () => '' }));
    const site = await admin.createSite({ name: 'Fault shop', origins: [SITE_ORIGIN] });
    const agents: Credentials[] = [];
    for (let i = 0; i < count; i++) {
      const credentials = { email: `agent${i}@faults.test`, password: `faults-agent-${i}-password` };
      await admin.createAgent({ ...credentials, name: `Agent ${i}`, role: 'agent', capacity, siteIds: [site.id] });
      agents.push(credentials);
    }
    return { siteKey: site.publicKey, agents };
  } finally {
    await database.close();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
