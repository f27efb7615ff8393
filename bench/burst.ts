/**
 * Queue burst: `visitors` visitors open a conversation within `windowMs` against `agents` agents of capacity
 * `capacity`; then the agents held away (up to `moreAgents`) come online at once and the queue drains into them.
 * On SQLite, on one PostgreSQL node and on three (PostgreSQL + Redis, as server/cluster runs), each on a fresh
 * database. Afterwards the database itself says whether any conversation was assigned twice or left waiting
 * while capacity was free (burst-check.ts). Before each burst, on an idle server: the first and the second
 * message of new conversations, and visitor session creation idle and under a steady message load.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { devPostgresUrl } from '../prisma/database-url.ts';
import { checkAssignments, type AssignmentCheck } from './burst-check.ts';
import { cleanUp, missingServices, REDIS_URL, waitForLeader } from './cluster.ts';
import type { BenchConfig, BurstBackend } from './config.ts';
import { startGenerator, type Generator } from './generators.ts';
import { postJson } from './http.ts';
import type { BurstResult, ChangeFrames, DrainResult, OpeningResult } from './load/burst.ts';
import { makeTempDir, removeTempDir } from './processes.ts';
import type { PhaseProfiler } from './profile/capture.ts';
import type { ProbeStats } from './server-probe.ts';
import { startParley, type ServerProcess } from './server-process.ts';
import { Admin, type Site } from './setup.ts';
import { SITE_ORIGIN } from './side-by-side.ts';
import { summarize, type Summary } from './stats.ts';

const PROBE_TIMEOUT_MS = 60_000;

export interface SessionTimes {
  idle: Summary;
  underLoad: Summary;
  /** Messages per second offered meanwhile, and how many of them were acked. */
  loadOffered: number;
  loadAcked: number;
}

export interface BurstStep {
  backend: BurstBackend;
  nodes: number;
  agents: { online: number; later: number; capacity: number };
  opening: OpeningResult;
  sessions: SessionTimes;
  burst: BurstResult;
  /** Conversation change frames the agents received during the burst (their consoles' work). */
  agentFrames: ChangeFrames;
  drain: DrainResult;
  check: AssignmentCheck;
  /** Node 1 (the routing leader) during the burst. */
  server: ProbeStats;
}

export interface BurstSection {
  steps: BurstStep[];
  /** Backends not measured, and why (PostgreSQL or Redis unreachable). */
  skipped: string[];
  /** Backends whose measurement failed, and how. */
  failed: string[];
}

export async function measureBurst(config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<BurstSection> {
  const section: BurstSection = { steps: [], skipped: [], failed: [] };
  const missing = config.burst.backends.some((b) => b !== 'sqlite') ? await missingServices() : undefined;
  for (const backend of config.burst.backends) {
    if (backend !== 'sqlite' && missing) {
      section.skipped.push(`${backend}: ${missing}`);
      log(`burst: ${backend} skipped, ${missing}`);
      continue;
    }
    // One backend failing (a server too busy to answer, say) is reported; the others still run.
    try {
      section.steps.push(await measureBackend(backend, config, profiler, log));
    } catch (error) {
      section.failed.push(`${backend}: ${error instanceof Error ? error.message : String(error)}`);
      log(`burst: ${backend} failed: ${String(error).split('\n')[0]}`);
    }
  }
  return section;
}

async function measureBackend(backend: BurstBackend, config: BenchConfig, profiler: PhaseProfiler, log: (line: string) => void): Promise<BurstStep> {
  const b = config.burst;
  const nodes = backend === 'postgresql-3' ? 3 : 1;
  const schema = `parley_burst_${randomBytes(6).toString('hex')}`;
  const clusterName = `burst-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> =
    backend === 'sqlite'
      ? {}
      : {
          DATABASE_URL: `${devPostgresUrl}${devPostgresUrl.includes('?') ? '&' : '?'}schema=${schema}`,
          JWT_SECRET: randomBytes(32).toString('hex'),
          ...(nodes > 1 ? { REDIS_URL, CLUSTER_NAME: clusterName } : {}),
        };
  const dataDirs: string[] = [];
  const servers: ServerProcess[] = [];
  let generator: Generator | undefined;
  let agentsGenerator: Generator | undefined;
  try {
    // One after the other: the first migrates the fresh schema and creates the admin.
    for (let n = 1; n <= nodes; n++) {
      dataDirs.push(makeTempDir(`parley-burst-${backend}-${n}-`));
      servers.push(await startParley(dataDirs.at(-1)!, { label: `parley ${backend} node ${n}`, countSql: profiler.enabled, env }));
    }
    if (nodes > 1) await waitForLeader(servers);
    const urls = servers.map((s) => s.url);
    const admin = await Admin.login(urls[0]!);
    generator = await startGenerator(`burst load (${backend})`);
    const load = generator;

    // The slow paths, on a site of their own with room for every conversation they open.
    const probeSite = await admin.createSite('Bench burst probes', [SITE_ORIGIN]);
    const probeAgents = await admin.createAgents(probeSite, 2, 100, 'probe');
    await load.rpc.call('start', { kind: 'parley', url: urls[0]!, site: probeSite, agents: probeAgents }, 60_000);
    const opening = await load.rpc.call('openingMessages', { url: urls[0]!, site: probeSite, count: b.openingConversations }, 120_000);
    const sessions = await sessionTimes(load, urls[0]!, probeSite, config);
    log(`burst, ${backend}: first message ack p50 ${opening.first.p50} ms, second p50 ${opening.second.p50} ms; session p50 ${sessions.idle.p50} ms idle, ${sessions.underLoad.p50} ms under load`);

    const site = await admin.createSite('Bench burst', [SITE_ORIGIN]);
    const agents = await admin.createAgents(site, b.moreAgents, b.capacity);
    // The agents' consoles in a process of their own, as on machines of their own (bench/load/burst.ts).
    agentsGenerator = await startGenerator(`burst agents (${backend})`);
    await agentsGenerator.rpc.call('burstAgents', { urls, agents, online: b.agents }, 300_000);
    await load.rpc.call('burstVisitors', { urls, site, visitors: b.visitors }, 300_000);
    const leader = servers[0]!;
    // A server in the middle of a burst answers late: that is what is measured, so the probe waits.
    await leader.probe.call('stats', {}, PROBE_TIMEOUT_MS);
    await agentsGenerator.rpc.call('burstAgentsHeard', undefined, 10_000);
    const burst = await profiler.around(leader, `burst-${backend}`, () => load.rpc.call('burstFire', { windowMs: b.windowMs }, 300_000));
    profiler.units[`burst-${backend}`] = { name: 'first message', count: burst.started };
    const server = await leader.probe.call('stats', {}, PROBE_TIMEOUT_MS);
    const agentFrames = await agentsGenerator.rpc.call('burstAgentsHeard', undefined, 10_000);
    log(`burst, ${backend}: ${burst.assigned} assigned at arrival, p99 ${burst.firstMessageToAssignment.p99} ms, ${burst.assignmentsPerSecond}/s`);
    const agentsLoad = agentsGenerator;
    const drain = await profiler.around(leader, `burst-drain-${backend}`, async () => {
      await load.rpc.call('burstWatchDrain', undefined, 10_000);
      const online = await agentsLoad.rpc.call('burstAgentsOnline', undefined, 300_000);
      return load.rpc.call('burstDrained', online, 300_000);
    });
    profiler.units[`burst-drain-${backend}`] = { name: 'assignment', count: drain.assigned };
    log(`burst, ${backend}: ${drain.assigned} assigned from the queue in ${drain.ms} ms (${drain.assignmentsPerSecond}/s)`);
    const check = await checkAssignments(backend === 'sqlite' ? { sqliteFile: join(dataDirs[0]!, 'parley.db') } : { postgresUrl: env.DATABASE_URL! }, site.id, b.moreAgents * b.capacity);
    return { backend, nodes, agents: { online: b.agents, later: b.moreAgents - b.agents, capacity: b.capacity }, opening, sessions, burst, agentFrames, drain, check, server };
  } finally {
    await Promise.all([generator?.stop(), agentsGenerator?.stop()]);
    await Promise.all(servers.map((s) => s.stop()));
    for (const dir of dataDirs) removeTempDir(dir);
    if (backend !== 'sqlite') await cleanUp(schema, clusterName).catch((error: unknown) => log(`burst: clean-up failed: ${String(error)}`));
  }
}

/** POST /api/widget/session one after another, idle, then while `sessionLoad.pairs` conversations exchange messages. */
async function sessionTimes(load: Generator, url: string, site: Site, config: BenchConfig): Promise<SessionTimes> {
  const { sessions, sessionLoad } = config.burst;
  const timeSessions = async (count: number) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const sentAt = performance.now();
      await postJson(`${url}/api/widget/session`, { siteKey: site.key }, { origin: site.origin });
      times.push(performance.now() - sentAt);
    }
    return summarize(times);
  };
  const idle = await timeSessions(sessions);
  await load.rpc.call('open', { count: sessionLoad.pairs }, 120_000);
  const warmupMs = 1000;
  const loaded = load.rpc.call('paced', { count: sessionLoad.pairs, intervalMs: sessionLoad.intervalMs, warmupMs, durationMs: sessionLoad.durationMs, from: 'visitor' }, sessionLoad.durationMs + 60_000);
  await new Promise((resolve) => setTimeout(resolve, warmupMs));
  const underLoad = await timeSessions(sessions);
  const paced = await loaded;
  return { idle, underLoad, loadOffered: paced.offeredRate, loadAcked: Math.round(paced.ack.count / (sessionLoad.durationMs / 1000)) };
}
