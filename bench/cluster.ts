/**
 * Issue #6: throughput of 1, 2 and 3 Parley nodes on one PostgreSQL schema (fresh for the run) and Redis,
 * the way several nodes run in production (server/cluster). The nodes start one by one: each step adds nodes
 * (or stops the last ones) and spreads the same agents and conversations over them, agent i on node i, visitor j
 * on node j + 1 (so most messages cross nodes through Redis), then runs the throughput section's closed loop.
 * Every node shares this machine's cores: the figures show what more nodes cost, not what they would add.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { devPostgresUrl } from '../prisma/database-url.ts';
import type { BenchConfig } from './config.ts';
import { startGenerator, type Generator } from './generators.ts';
import type { ClosedLoopResult } from './load/patterns.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import { makeTempDir, once, removeTempDir, type Section } from './processes.ts';
import type { ProbeStats } from './server-probe.ts';
import { startParley, type ServerProcess } from './server-process.ts';
import { Admin } from './setup.ts';
import { SITE_ORIGIN } from './side-by-side.ts';
import { round, sleep } from './stats.ts';

/** Where the cluster's services are: the tests' settings (POSTGRES_URL, REDIS_URL_TEST) or the local defaults. */
export const REDIS_URL = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';

export const clusterNote = () =>
  `all nodes share this machine's ${cpus().length} cores; more nodes add cross-node Redis hops without adding CPU, so this shows overhead, not scale-out`;

export interface ClusterStep {
  nodes: number;
  agents: number;
  /** Conversations measured, and how many of them had the visitor and the agent on different nodes. */
  conversations: number;
  crossNode: number;
  throughput: ClosedLoopResult;
  /** Each node's CPU and event loop over the measured window (node 1 is the routing leader). */
  servers: ProbeStats[];
  /** The nodes' CPU together (1 = one full core). */
  cpu: number;
}

export interface ClusterResult {
  note: string;
  /** Why the section did not run (PostgreSQL or Redis unreachable). */
  skipped?: string;
  database?: string;
  steps: ClusterStep[];
}

/**
 * Checks for PostgreSQL and Redis and starts the first node (which migrates the fresh schema and creates the
 * admin) with the load generator; run.ts does this beside the first stage's startup. Without PostgreSQL or
 * Redis, the section reports itself skipped.
 */
export async function startCluster(config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<Section<ClusterResult>> {
  const note = clusterNote();
  const missing = await missingServices();
  if (missing) {
    log(`cluster: skipped, ${missing}`);
    return { prepare: async () => {}, measure: async () => ({ note, skipped: missing, steps: [] }), stop: async () => {} };
  }
  const { nodes: counts, senders, warmupMs, durationMs } = config.cluster;
  if (counts[0] !== 1 || counts.some((count) => count < 1)) {
    throw new Error(`cluster node counts must start at 1 (${counts.join(', ')}): the first node migrates the schema and leads`);
  }
  const schema = `parley_bench_${randomBytes(6).toString('hex')}`;
  const clusterName = `bench-${randomBytes(4).toString('hex')}`;
  const env = {
    DATABASE_URL: `${devPostgresUrl}${devPostgresUrl.includes('?') ? '&' : '?'}schema=${schema}`,
    REDIS_URL,
    CLUSTER_NAME: clusterName,
    JWT_SECRET: randomBytes(32).toString('hex'),
    // Agents move between nodes from one step to the next: their conversations must not be requeued meanwhile.
    REQUEUE_GRACE_MS: String(24 * 3600 * 1000),
  };
  const servers: ServerProcess[] = [];
  const dataDirs: string[] = [];
  const addNode = async () => {
    const n = servers.length + 1;
    dataDirs.push(makeTempDir(`parley-bench-node${n}-`));
    servers.push(await startParley(dataDirs.at(-1)!, { label: `parley node ${n}`, countSql: profiler.enabled, env }));
  };
  const stop = once(async () => {
    await generator?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dataDirs) removeTempDir(dir);
    await cleanUp(schema, clusterName).catch((error: unknown) => log(`cluster: clean-up failed: ${String(error)}`));
  });
  let generator: Generator | undefined;
  try {
    [generator] = await Promise.all([startGenerator('cluster load'), addNode()]);
    await waitForLeader(servers);
  } catch (error) {
    await stop();
    throw error;
  }
  const load = generator;
  /** The nodes the sockets are spread over now. */
  let placedOn = 0;
  let placed = { conversations: 0, crossNode: 0, ms: 0 };

  return {
    stop,
    /** The site, its agents and the conversations, through the first node. */
    async prepare() {
      const admin = await Admin.login(servers[0]!.url);
      const site = await admin.createSite('Bench cluster', [SITE_ORIGIN]);
      const agents = await admin.createAgents(site, agentCount(config), config.agentCapacity);
      await load.rpc.call('start', { kind: 'parley', url: servers.map((s) => s.url), site, agents }, 60_000);
      // Fewer at a time than on one node: every first message waits for the leader's routing, one decision at a
      // time, over PostgreSQL.
      placed = await load.rpc.call('open', { count: senders, concurrency: 20 }, 180_000);
      placedOn = servers.length;
    },
    /** Each count: add nodes, move the same agents and visitors over them, run the closed loop. */
    async measure(log) {
      const steps: ClusterStep[] = [];
      for (const [step, count] of counts.entries()) {
        const name = counts.indexOf(count) < step ? `${count}-again` : String(count);
        while (servers.length < count) await addNode();
        // Node 1 leads throughout: only the nodes added last are stopped, once their clients have moved away.
        const leaving = servers.splice(count);
        await waitForLeader(servers);
        // A reconnect, as behind a load balancer: same sessions, same conversations, now over every node.
        if (placedOn !== servers.length) placed = await load.rpc.call('spread', { urls: servers.map((s) => s.url) }, 120_000);
        placedOn = servers.length;
        await Promise.all(leaving.map((s) => s.stop()));
        log(`cluster: ${count} node${count > 1 ? 's' : ''}, ${placed.crossNode}/${placed.conversations} conversations across nodes`);
        await Promise.all(servers.map((s) => s.probe.call('stats', {}, 5_000)));
        const closedLoop = () => load.rpc.call('closedLoop', { count: senders, warmupMs, durationMs }, warmupMs + durationMs + 60_000);
        // Every node profiled over the same window (node 1 leads): what a node spends per message beyond the one-node case.
        const throughput = await servers.reduceRight<() => Promise<ClosedLoopResult>>(
          (work, server, i) => () => profiler.around(server, `cluster-${name}-node${i + 1}`, work),
          closedLoop,
        )();
        const stats = await Promise.all(servers.map((s) => s.probe.call('stats', {}, 5_000)));
        steps.push({
          nodes: count,
          agents: agentCount(config),
          conversations: placed.conversations,
          crossNode: placed.crossNode,
          throughput,
          servers: stats,
          cpu: round(stats.reduce((sum, s) => sum + s.cpu, 0)),
        });
        log(`cluster, ${count} node${count > 1 ? 's' : ''}: ${throughput.deliveredPerSecond} msg/s delivered, visitor→agent p99 ${throughput.visitorToAgent.p99} ms`);
      }
      return { note, database: `PostgreSQL ${new URL(devPostgresUrl).host}, schema ${schema}; Redis ${new URL(REDIS_URL).host}`, steps };
    },
  };
}

/** At least three agents, so that from three nodes on each node has one. */
const agentCount = (config: BenchConfig) => Math.max(3, Math.ceil(config.cluster.senders / config.agentCapacity));

/** Undefined when PostgreSQL and Redis both answer; otherwise what is missing, to print. */
export async function missingServices(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: devPostgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch (error) {
    return `PostgreSQL at ${new URL(devPostgresUrl).host} is unreachable (set POSTGRES_URL): ${String(error)}`;
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    if ((await redis.ping()) !== 'PONG') return `Redis at ${new URL(REDIS_URL).host} did not answer PING`;
  } catch (error) {
    return `Redis at ${new URL(REDIS_URL).host} is unreachable (set REDIS_URL_TEST): ${String(error)}`;
  } finally {
    redis.disconnect();
  }
  return undefined;
}

/** One routing leader among the nodes (the first takes the lock within a second or two of starting). */
export async function waitForLeader(servers: ServerProcess[]): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const roles = await Promise.all(
      servers.map(async (s) => {
        const response = await fetch(`${s.url}/readyz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        return response?.ok ? ((await response.json()) as { role?: string }).role : 'down';
      }),
    );
    if (roles.filter((role) => role === 'leader').length === 1 && !roles.includes('down')) return;
    if (performance.now() > deadline) throw new Error(`no single routing leader within 30 s (roles: ${roles.join(', ')})`);
    await sleep(200);
  }
}

/** Drops the run's schema and its Redis keys (the adapter's stream, the rate-limit buckets). */
export async function cleanUp(schema: string, clusterName: string): Promise<void> {
  const client = new pg.Client({ connectionString: devPostgresUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${clusterName}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
