/**
 * Fault 4: an agent's browser vanishes without a goodbye. The agent's console runs in a child process that
 * is frozen with SIGSTOP (its TCP connection stays open, nothing answers, no FIN). With short pings the
 * server notices, the agent goes offline, and after the grace period its conversations are requeued: the
 * visitors get the `requeued` system line and their queue position, the database says queued. Thawed, the
 * console reconnects and, as the only available agent, gets the conversations back. Nothing is lost.
 */
import { afterEach, expect, it } from 'vitest';
import type { AgentDTO, QueuePositionDTO } from '../../server/contract/dto.ts';
import type { ResilientAgent } from '../support/resilient-client.ts';
import { Teardown, waitUntil } from './support/bounded.ts';
import { ChildAgent } from './support/child-agent.ts';
import { clientTotals, settle } from './support/traffic.ts';
import { expectClean, readDatabase, report, verify } from './support/verify.ts';
import { World } from './support/world.ts';

const VISITORS = 3;
const PING_INTERVAL_MS = 500;
const PING_TIMEOUT_MS = 500;
const GRACE_MS = 1500;
/** Noticing (interval + timeout) plus the grace period, with room for a loaded machine. */
const REQUEUE_DEADLINE_MS = PING_INTERVAL_MS + PING_TIMEOUT_MS + GRACE_MS + 5000;
const STEP_TIMEOUT_MS = 20_000;

const teardown = new Teardown();
afterEach(() => teardown.run());

it('requeues the chats of an agent who vanished, after the grace period, and tells the visitors', async () => {
  const world = await World.create(teardown, {
    agents: 2,
    capacity: 5,
    env: { PING_INTERVAL_MS: String(PING_INTERVAL_MS), PING_TIMEOUT_MS: String(PING_TIMEOUT_MS), REQUEUE_GRACE_MS: String(GRACE_MS) },
  });
  await world.start();
  const child = await ChildAgent.start(teardown, world.url, world.agents[0]!);
  const vanishing = child.last!.agentId;
  // A second agent watches presence; away, so no conversation is routed to it.
  const crowd = await world.connect({ visitors: VISITORS, agents: 1, firstAgent: 1 });
  const observer = crowd.agents[0]!;
  expect((await observer.request('agent:setStatus', { status: 'away' })).ok).toBe(true);
  const positions = crowd.visitors.map((visitor) => {
    const heard: { at: number; position: QueuePositionDTO }[] = [];
    visitor.on('queue:position', (position: QueuePositionDTO) => heard.push({ at: Date.now(), position }));
    return heard;
  });
  // Times come from the system lines' createdAt (same machine): right even if a live event was missed.
  const systemLine = (type: string, after: number) =>
    crowd.visitors.map((v) => [...v.transcripts.values()].flatMap((t) => t.ordered()).find((m) => m.system?.type === type && Date.parse(m.createdAt) >= after));

  for (const visitor of crowd.visitors) visitor.send('hello, anyone there?');
  await waitUntil(() => conversations(world, 'active', vanishing) === VISITORS, STEP_TIMEOUT_MS, 'assignment to the child agent');

  const frozenAt = Date.now();
  child.freeze();
  const offlineAfter = await waitUntil(async () => !(await presence(observer, vanishing)), STEP_TIMEOUT_MS, 'the agent to go offline', 100);
  await waitUntil(() => systemLine('requeued', frozenAt).every(Boolean), STEP_TIMEOUT_MS, 'requeued lines at every visitor');
  await waitUntil(() => positions.every((heard) => heard.some((h) => h.at > frozenAt)), STEP_TIMEOUT_MS, 'queue:position at every visitor');
  await waitUntil(() => conversations(world, 'queued', null) === VISITORS, STEP_TIMEOUT_MS, 'queued conversations in the database');
  const requeuedAfter = systemLine('requeued', frozenAt).map((m) => Date.parse(m!.createdAt) - frozenAt);
  const told = positions.map((heard) => heard.find((h) => h.at > frozenAt)!);
  for (const visitor of crowd.visitors) visitor.send('still there?');

  const thawedAt = Date.now();
  child.thaw();
  await waitUntil(() => (child.last?.connects ?? 0) >= 2, STEP_TIMEOUT_MS, 'the thawed console to reconnect');
  await waitUntil(() => conversations(world, 'active', vanishing) === VISITORS, STEP_TIMEOUT_MS, 'assignment back to the returning agent');
  await settle(crowd, STEP_TIMEOUT_MS);
  const reassignedAfter = systemLine('assigned', thawedAt).map((m) => (m ? Date.parse(m.createdAt) - thawedAt : NaN));

  const figures = await verify(readDatabase(world.databaseFile), crowd);
  report('4 agent vanishes', figures, {
    'offline (agents:list) within': `${offlineAfter} ms`,
    'requeued after': `${requeuedAfter.join(', ')} ms`,
    'queue:position after': `${told.map((t) => t.at - frozenAt).join(', ')} ms`,
    'first position': told[0]!.position,
    'reassigned after thaw': `${reassignedAfter.join(', ')} ms`,
    ...clientTotals(crowd),
    'server log': world.log.summary(),
  });
  expectClean(figures);
  for (const ms of requeuedAfter) expect(ms).toBeGreaterThanOrEqual(GRACE_MS);
  for (const ms of requeuedAfter) expect(ms).toBeLessThan(REQUEUE_DEADLINE_MS);
}, 120_000);

/** Whether the agent has a console connection, as agents:list says. */
async function presence(observer: ResilientAgent, agentId: string): Promise<boolean> {
  const answer = await observer.request<AgentDTO[]>('agents:list', {});
  return !answer.ok || answer.data.find((a) => a.id === agentId)?.connected !== false;
}

/** How many conversations are in `status` with that assignee, in the database. */
function conversations(world: World, status: string, assigneeId: string | null): number {
  return readDatabase(world.databaseFile).conversations.filter((c) => c.status === status && c.assigneeId === assigneeId).length;
}
