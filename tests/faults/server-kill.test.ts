/**
 * Fault 2: the server process is killed with SIGKILL in the middle of traffic, twice, and started again on
 * the same port and database. Right after each kill every acknowledged message must be in the database;
 * the messages that were unacknowledged at the kill are resent by their clients and stored exactly once;
 * both sides converge on the database after reconnecting (no in-memory recovery: a new process).
 */
import { afterEach, expect, it } from 'vitest';
import { envMs, sleep, Teardown } from './support/bounded.ts';
import { clientTotals, everyone, settle, Traffic, type Crowd } from './support/traffic.ts';
import { expectClean, readDatabase, report, verify } from './support/verify.ts';
import { World } from './support/world.ts';

const VISITORS = 100;
const AGENTS = 5;
const KILLS = 2;
/** Traffic before each kill and after the last restart. */
const PHASE_MS = envMs('FAULTS_KILL_PHASE_MS', 8000);
/** How long the server stays dead (before its restart begins) while clients keep typing. */
const DOWN_MS = 1000;
const SETTLE_TIMEOUT_MS = 60_000;

const teardown = new Teardown();
afterEach(() => teardown.run());

it(`keeps every acknowledged message through ${KILLS} SIGKILLs and stores the unacknowledged ones once`, async () => {
  const world = await World.create(teardown, { agents: AGENTS, capacity: 25 });
  await world.start();
  const crowd = await world.connect({ visitors: VISITORS, agents: AGENTS });
  const traffic = new Traffic(crowd, { visitorEveryMs: 4000, agentEveryMs: 500, noteShare: 0.1, arrivalMs: 3000 }).start();
  teardown.add('stop traffic', () => traffic.stop());

  const kills: { acked: number; ackedMissing: number; unacked: number; unackedStored: number; restartMs: number }[] = [];
  const unackedAtKills = new Set<string>();
  for (let i = 0; i < KILLS; i++) {
    await sleep(PHASE_MS);
    await world.server!.kill('SIGKILL');
    const killedAt = Date.now();
    // Dead for a moment while clients keep typing; acks already on the wire are read meanwhile.
    await sleep(DOWN_MS);
    // Nothing can write now: every message a client was told is stored must be on disk.
    const { acked, unacked } = outboxState(crowd);
    const db = readDatabase(world.databaseFile);
    const ackedMissing = acked.filter((id) => !db.byClientId.has(id)).length;
    const unackedStored = unacked.filter((id) => db.byClientId.has(id)).length;
    unacked.forEach((id) => unackedAtKills.add(id));
    await world.start();
    kills.push({ acked: acked.length, ackedMissing, unacked: unacked.length, unackedStored, restartMs: Date.now() - killedAt });
  }
  await sleep(PHASE_MS);
  traffic.stop();
  const settleMs = await settle(crowd, SETTLE_TIMEOUT_MS);

  const db = readDatabase(world.databaseFile);
  const figures = await verify(db, crowd);
  const storedOnce = [...unackedAtKills].filter((id) => db.byClientId.get(id)?.length === 1).length;
  report('2 server SIGKILL', figures, {
    kills,
    'unacknowledged at a kill, finally stored once': `${storedOnce}/${unackedAtKills.size}`,
    settle: `${(settleMs / 1000).toFixed(1)} s`,
    ...clientTotals(crowd),
    'server log': world.log.summary(),
  });
  expectClean(figures);
  expect(kills.map((k) => k.ackedMissing)).toEqual(kills.map(() => 0));
  expect(storedOnce).toBe(unackedAtKills.size);
  expect(unackedAtKills.size).toBeGreaterThan(0);
}, KILLS * (PHASE_MS + 70_000) + PHASE_MS + 120_000);

/** ClientIds acknowledged so far, and those sent or queued without an ack yet. */
function outboxState(crowd: Crowd) {
  const messages = everyone(crowd).flatMap((client) => [...client.sent.values()]);
  return {
    acked: messages.filter((m) => m.state === 'acked').map((m) => m.clientId),
    unacked: messages.filter((m) => m.state === 'pending').map((m) => m.clientId),
  };
}
