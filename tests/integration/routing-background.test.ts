/**
 * What routing does besides deciding. When it rebuilds itself from the database: never for a claim of a
 * conversation the agent already holds, and once for any number of disagreements found before the rebuild runs
 * (counted by the rebuild's read of the open conversations, with the rebuild timers held by the test instead of
 * the clock). And its reads of who is connected, which in a cluster wait for every node: outside its turns, one at
 * a time, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Server } from 'socket.io';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrate } from '../../prisma/migrate.ts';
import { AdminService } from '../../server/app/admin.ts';
import { DomainEvents } from '../../server/app/events.ts';
import { newId } from '../../server/app/ids.ts';
import type { Store } from '../../server/app/ports.ts';
import { RoutingService } from '../../server/app/routing.ts';
import type { Timers } from '../../server/app/timers.ts';
import { createDatabase, type Database } from '../../server/db/client.ts';
import { createStore } from '../../server/db/store.ts';
import { wallClock } from '../../server/domain/clock.ts';
import { SocketNotifier, type AgentNamespace, type VisitorNamespace } from '../../server/realtime/notifier.ts';
import { SITE_ORIGIN } from '../support/parley.ts';

/** Timers the test fires by hand. */
class HeldTimers implements Timers {
  private readonly pending = new Map<number, () => void>();
  private nextHandle = 1;
  setTimeout(fn: () => void): unknown {
    const handle = this.nextHandle++;
    this.pending.set(handle, fn);
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const fn of due) fn();
  }
}

let dir: string;
let database: Database;
let store: Store;
/** Socket.IO namespaces with nobody in them: the notifier emits into the void. */
const io = new Server();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-rebuilds-'));
  const url = `file:${join(dir, 'parley.db')}`;
  await migrate(url);
  database = createDatabase(url);
  store = createStore(database, newId, { attachmentUrl: (id) => `/a/${id}` });
});

afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Who is connected, as read from the sockets: by default, the one agent. */
type ConnectedAgents = (agentId: string) => Promise<Set<string>>;

async function routingWithOneAgent(connectedAgents: ConnectedAgents = async (agentId) => new Set([agentId])) {
  const admin = new AdminService(store);
  const site = await admin.createSite({ name: 'Shop', origins: [SITE_ORIGIN] });
  const agent = await admin.createAgent({ email: 'ann@example.com', password: 'ann-password', role: 'agent', capacity: 5 });
  const timers = new HeldTimers();
  const notifier = new SocketNotifier(io.of('/visitor') as unknown as VisitorNamespace, io.of('/agent') as unknown as AgentNamespace);
  const events = new DomainEvents(pino({ level: 'silent' }));
  const routing = new RoutingService(store, events, notifier, wallClock, 60_000, pino({ level: 'silent' }), () => connectedAgents(agent.id), timers);
  await routing.start();
  const rebuilds = vi.spyOn(store.conversations, 'listOpen');
  const newConversation = async () => {
    const visitor = await store.visitors.create(site.id);
    const first = { authorKind: 'visitor' as const, authorId: visitor.id, body: 'hi', clientId: newId() };
    const started = await store.conversations.start({ siteId: site.id, visitorId: visitor.id, queuedAt: new Date(), first });
    if (!started.created) throw new Error('a new visitor started no conversation');
    return started.summary;
  };
  /** Fires the rebuilds asked for so far and waits until they ran; resolves with how many ran. */
  const rebuildsRun = async () => {
    timers.fireAll();
    await routing.stop();
    return rebuilds.mock.calls.length;
  };
  return { routing, agent, newConversation, rebuildsRun, notifier, events };
}

describe('arrivals', () => {
  it('tells the queue of those their turn left waiting, and marks those it assigned as assigned on arrival', async () => {
    const { routing, agent, newConversation, notifier, events } = await routingWithOneAgent();
    const waiting = vi.spyOn(notifier, 'conversationsWaiting');
    const assigned: [string, boolean][] = [];
    events.on('conversation.assigned', ({ conversation, onArrival }) => void assigned.push([conversation.id, onArrival]));
    await routing.setStatus(agent.id, 'away');
    const first = await newConversation();
    expect(await routing.enqueue(first)).toBeNull();
    expect(waiting.mock.calls).toEqual([[[first]]]);
    await routing.setStatus(agent.id, 'online'); // the queue drains into the agent: an assignment from the queue
    const second = await newConversation();
    expect(await routing.enqueue(second)).toMatchObject({ id: second.id, assignee: { id: agent.id } });
    await vi.waitFor(() => expect(assigned).toHaveLength(2));
    expect(assigned).toEqual([
      [first.id, false],
      [second.id, true],
    ]);
    expect(waiting).toHaveBeenCalledTimes(1);
  });
});

describe('routing rebuilds', () => {
  it('answers a claim of a conversation the agent already holds with it, without a rebuild', async () => {
    const { routing, agent, newConversation, rebuildsRun } = await routingWithOneAgent();
    const conversation = await newConversation();
    await routing.enqueue(conversation); // the only agent is online: it is theirs at once

    for (let i = 0; i < 3; i++) {
      const claimed = await routing.claim({ agentId: agent.id }, conversation.id);
      expect(claimed).toMatchObject({ id: conversation.id, status: 'active', assignee: { id: agent.id } });
    }
    expect(await rebuildsRun()).toBe(0);
  });

  it('folds every rebuild asked for before one runs into that one', async () => {
    const { routing, agent, newConversation, rebuildsRun } = await routingWithOneAgent();
    await routing.setStatus(agent.id, 'away');
    const conversations = [await newConversation(), await newConversation(), await newConversation()];
    for (const conversation of conversations) await routing.enqueue(conversation);
    // Another writer resolves them behind routing's back: each assignment finds the database disagreeing.
    for (const conversation of conversations) {
      await store.conversations.resolve(conversation.id, new Date(), { type: 'resolved', byAgentId: null });
    }
    await routing.setStatus(agent.id, 'online');
    expect(await rebuildsRun()).toBe(1);
  });
});

describe('presence reads', () => {
  it('route arrivals while a read waits for the nodes, fold the changes that come meanwhile into one more read, and apply them in order', async () => {
    /** After the start's read, every read waits for the test to answer it. */
    const reads: ((online: Set<string>) => void)[] = [];
    let started = false;
    const { routing, agent, newConversation } = await routingWithOneAgent(async (agentId) =>
      started ? new Promise<Set<string>>((resolve) => reads.push(resolve)) : new Set([agentId]),
    );
    started = true;
    const connected = () => routing.listAgents().find((a) => a.id === agent.id)?.connected;

    const first = routing.presenceChanged();
    await vi.waitFor(() => expect(reads).toHaveLength(1));
    const conversation = await newConversation();
    expect(await routing.enqueue(conversation)).toMatchObject({ id: conversation.id, assignee: { id: agent.id } });

    const second = routing.presenceChanged();
    expect(routing.presenceChanged()).toBe(second);
    reads[0]!(new Set()); // the agent's console closed
    await first;
    expect(connected()).toBe(false);
    await vi.waitFor(() => expect(reads).toHaveLength(2));
    reads[1]!(new Set([agent.id])); // and opened again
    await second;
    expect(connected()).toBe(true);
    expect(reads).toHaveLength(2);
    await routing.stop();
  });
});
