/**
 * A write that fails after the message was committed: an agent's first answer is stored, then recording
 * the conversation's first-response time fails (here SQLite refuses that one UPDATE through a trigger; a
 * full disk or a lock can do the same). The client gets an error ack and resends with the same clientId;
 * the retry returns the stored message. The visitor must still receive it live, once, without reconnecting.
 */
import { afterEach, expect, it } from 'vitest';
import { Teardown, waitUntil } from './support/bounded.ts';
import { refuseUpdatesOf } from './support/refusals.ts';
import { clientTotals, settle } from './support/traffic.ts';
import { expectClean, readDatabase, report, verify } from './support/verify.ts';
import { World } from './support/world.ts';

const STEP_TIMEOUT_MS = 20_000;

const teardown = new Teardown();
afterEach(() => teardown.run());

it('delivers a message live even when a write after its commit failed', async () => {
  const world = await World.create(teardown, { agents: 1, capacity: 5 });
  await world.start();
  const crowd = await world.connect({ visitors: 1, agents: 1 });
  const [visitor, agent] = [crowd.visitors[0]!, crowd.agents[0]!];
  visitor.send('hello');
  await waitUntil(() => agent.mine.size === 1, STEP_TIMEOUT_MS, 'the conversation to be assigned');

  const refusal = refuseUpdatesOf(world.databaseFile, 'Conversation', 'firstResponseAt');
  teardown.add('drop trigger', () => refusal.undo());
  agent.send([...agent.mine][0]!, 'first answer');
  await settle(crowd, STEP_TIMEOUT_MS);
  refusal.undo();

  const figures = await verify(readDatabase(world.databaseFile), crowd);
  report('write fails after commit', figures, { refusal: refusal.detail, ...clientTotals(crowd), 'server log': world.log.summary() });
  expectClean(figures);
  expect(clientTotals(crowd).reconnects).toBe(0);
}, 60_000);
