/**
 * Fault 1: 200 visitors and 10 agents talk for FAULTS_DURATION_MS (default 60 s) while connections are cut
 * at random every one to three seconds: client transport drops, clean disconnect-reconnects, and through a
 * TCP proxy resets and blackholes. After a settle phase: nothing lost or duplicated, every client's order
 * kept, and every side's transcript (and its history from scratch) equal to the database.
 */
import { afterEach, expect, it } from 'vitest';
import { envMs, sleep, Teardown } from './support/bounded.ts';
import { HealthProbe } from './support/health-probe.ts';
import { CuttableProxy } from './support/tcp-proxy.ts';
import { Chaos, clientTotals, settle, Traffic } from './support/traffic.ts';
import { expectClean, readDatabase, report, verify } from './support/verify.ts';
import { World } from './support/world.ts';

const VISITORS = 200;
const AGENTS = 10;
const DURATION_MS = envMs('FAULTS_DURATION_MS', 60_000);
const SETTLE_TIMEOUT_MS = 90_000;
/**
 * Blackholed connections are noticed by pings after interval + timeout: short enough for the settle phase,
 * long enough that a server busy for a few seconds does not drop everyone.
 */
const PING = { PING_INTERVAL_MS: '5000', PING_TIMEOUT_MS: '5000' };
const PING_NOTICE_MS = 10_000 + 1000;

const teardown = new Teardown();
afterEach(() => teardown.run());

it(`loses and duplicates nothing while ${VISITORS} visitors and ${AGENTS} agents are cut off at random`, async () => {
  const world = await World.create(teardown, { agents: AGENTS, capacity: 25, env: PING });
  await world.start();
  const proxy = await new CuttableProxy(world.port).start();
  teardown.add('close proxy', () => proxy.close());
  const crowd = await world.connect({ visitors: VISITORS, agents: AGENTS }, proxy.url);

  const probe = new HealthProbe(world.url).start();
  teardown.add('stop probe', () => probe.stop());
  const traffic = new Traffic(crowd, { visitorEveryMs: 8000, agentEveryMs: 1000, noteShare: 0.1, arrivalMs: 10_000 }).start();
  const chaos = new Chaos(crowd, { everyMs: [1000, 3000], share: 0.03, proxy }).start();
  teardown.add('stop load', () => (traffic.stop(), chaos.stop()));
  await sleep(DURATION_MS);
  traffic.stop();
  chaos.stop();
  const settleMs = await settle(crowd, SETTLE_TIMEOUT_MS, PING_NOTICE_MS);
  await probe.stop();

  const db = readDatabase(world.databaseFile);
  const figures = await verify(db, crowd);
  const unassigned = db.conversations.filter((c) => c.status !== 'active').length;
  report('1 random cuts', figures, {
    traffic: `${DURATION_MS / 1000} s`,
    settle: `${(settleMs / 1000).toFixed(1)} s`,
    conversations: db.conversations.length,
    unassigned,
    cuts: chaos.cuts,
    ...clientTotals(crowd),
    'slowest healthz': `${probe.slowestMs} ms`,
    'server log': world.log.summary(),
  });
  expectClean(figures);
  expect(unassigned).toBe(0);
}, DURATION_MS + 240_000);
