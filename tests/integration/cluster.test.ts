/**
 * Three server processes on one PostgreSQL database and one Redis: conversations routed across nodes, then
 * the routing leader is killed with SIGKILL. Required under CI=true; skipped with a message elsewhere when
 * PostgreSQL or Redis is missing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDTO, ConversationDTO, HistoryPage, MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { AdminService } from '../../server/app/admin.ts';
import { newId } from '../../server/app/ids.ts';
import type { SiteRecord } from '../../server/app/ports.ts';
import { createDatabase, type Database } from '../../server/db/client.ts';
import { createStore } from '../../server/db/store.ts';
import { io } from 'socket.io-client';
import {
  SITE_ORIGIN, clientId, closeAllSockets, connectAgent, connectVisitor, connected, next, nextAgentConversation, ok, sleep, type AgentSocket, type Target, type VisitorSocket,
} from '../support/parley.ts';
import { dropSchema, postgresAvailable, throwawaySchema } from '../support/postgres.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.ts';

const NODES = 3;
const AGENTS = 3;
const VISITORS = 9;

describe.skipIf(!postgresAvailable || !redisAvailable)('a cluster of three nodes on PostgreSQL and Redis', () => {
  const { schema, url: databaseUrl } = throwawaySchema();
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    CLUSTER_NAME: `test-${randomUUID().slice(0, 8)}`,
    JWT_SECRET: randomUUID() + randomUUID(),
    ADMIN_PASSWORD: 'cluster-admin-pw',
    REQUEUE_GRACE_MS: '1500',
    PING_INTERVAL_MS: '1000',
    PING_TIMEOUT_MS: '1000',
    RATE_LIMIT_SCALE: '1000',
    LOG_LEVEL: 'info', // spawnServer waits for the "listening" line
  };
  const nodes: SpawnedServer[] = [];
  let database: Database;
  let site: SiteRecord;
  const node = (i: number): Target => ({ url: nodes[i]!.url, site });

  beforeAll(async () => {
    nodes.push(await spawnServer({ env })); // the first one migrates and bootstraps
    nodes.push(...(await Promise.all(Array.from({ length: NODES - 1 }, () => spawnServer({ env })))));
    database = createDatabase(databaseUrl);
    const admin = new AdminService(createStore(database, newId, { attachmentUrl: () => '' }));
    site = await admin.createSite({ name: 'Cluster shop', origins: [SITE_ORIGIN] });
    for (let i = 0; i < AGENTS; i++) {
      await admin.createAgent({ email: `agent${i}@example.com`, password: `agent${i}-password`, name: `agent${i}`, role: 'agent', capacity: 10, siteIds: [site.id] });
    }
  }, 120_000);

  afterAll(async () => {
    closeAllSockets();
    await Promise.all(nodes.map((n) => n.stop()));
    await database?.close();
    await dropSchema(schema);
  }, 60_000);

  async function roles(): Promise<string[]> {
    return Promise.all(
      nodes.map(async (n) => {
        try {
          return ((await (await fetch(`${n.url}/readyz`)).json()) as { role: string }).role;
        } catch {
          return 'down';
        }
      }),
    );
  }

  async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(200);
    }
  }

  // First: the next test kills a node.
  it("ends a login's and a site's visitor connections on every node, not only the one that was asked", async () => {
    const signIn = await fetch(`${nodes[0]!.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'cluster-admin-pw' }),
    });
    const { accessToken } = (await signIn.json()) as { accessToken: string };
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const agent = io(`${nodes[1]!.url}/agent`, { transports: ['websocket'], auth: { token: accessToken }, extraHeaders: { origin: nodes[1]!.url }, reconnection: false, forceNew: true });
    await connected(agent);
    const visitor = await connectVisitor(node(1));

    const visitorTold = next(visitor.socket, 'session:ended');
    const rotate = await fetch(`${nodes[2]!.url}/api/admin/sites/${site.id}/rotate-visitor-key`, { method: 'POST', headers: { authorization: `Bearer ${accessToken}` } });
    expect(rotate.status).toBe(200);
    expect(await visitorTold).toMatchObject({ code: 'UNAUTHORIZED' });

    const agentTold = next(agent, 'session:ended');
    expect((await fetch(`${nodes[2]!.url}/api/auth/logout`, { method: 'POST', headers: { cookie } })).status).toBe(204);
    expect(await agentTold).toEqual({ code: 'UNAUTHORIZED', message: 'Signed out' });
    agent.disconnect();
  }, 30_000);

  it('assigns a queued conversation to a named agent through API v1 on a node that is not the routing leader', async () => {
    const r = await waitFor('one routing leader', async () => {
      const now = await roles();
      return now.filter((x) => x === 'leader').length === 1 ? now : undefined;
    });
    const [follower, other] = [...r.keys()].filter((i) => r[i] !== 'leader');
    const { accessToken } = (await (await fetch(`${nodes[follower!]!.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@example.com', password: 'cluster-admin-pw' }),
    })).json()) as { accessToken: string };
    const keyRes = await fetch(`${nodes[follower!]!.url}/api/admin/api-keys`, {
      method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'crm', scopes: ['conversations:read', 'conversations:write'] }),
    });
    const { key } = (await keyRes.json()) as { key: string };
    const v1 = async <T>(path: string, body: unknown) => {
      const res = await fetch(`${nodes[follower!]!.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T };
    };

    // An agent of capacity 1, connected to another node and away: routing leaves the queue to a person's choice.
    const admin = new AdminService(createStore(database, newId, { attachmentUrl: () => '' }));
    await admin.createAgent({ email: 'assignee@example.com', password: 'assignee-password', name: 'Assignee', role: 'agent', capacity: 1, siteIds: [site.id] });
    const assignee = await connectAgent(node(other!), { email: 'assignee@example.com', password: 'assignee-password' });
    // The handshake told the leader of this agent before the connection opened: the first command is routed.
    expect(await ok<AgentDTO>(assignee.socket, 'agent:setStatus', { status: 'away' })).toMatchObject({ id: assignee.agentId, status: 'away' });
    const conversations: string[] = [];
    for (let i = 0; i < 2; i++) {
      const visitor = await connectVisitor(node(i === 0 ? follower! : other!));
      const message = { clientId: clientId(), body: `please assign me ${i}` };
      conversations.push((await ok<SendResult>(visitor.socket, 'message:send', message)).conversation.id);
    }
    const told = nextAgentConversation<{ id: string; status: string }>(assignee.socket, (c) => c.id === conversations[0] && c.status === 'active', 20_000);
    const assigned = await v1<ConversationDTO>(`/conversations/${conversations[0]}/assign`, { agentId: assignee.agentId });
    expect(assigned).toMatchObject({ status: 200, body: { status: 'active', assignee: { id: assignee.agentId } } });
    await told;
    // The leader's refusal crosses the RPC with its code.
    expect((await v1(`/conversations/${conversations[1]}/assign`, { agentId: assignee.agentId })).body).toMatchObject({ error: { code: 'AGENT_AT_CAPACITY' } });

    // Leave nothing open for the next test's routing.
    for (const id of conversations) expect((await v1<ConversationDTO>(`/conversations/${id}/resolve`, undefined)).body.status).toBe('resolved');
    assignee.socket.disconnect();
  }, 60_000);

  it('routes across nodes, survives the leader being killed, and loses no acknowledged message', async () => {
    const leaderIndex = await waitFor('one routing leader', async () => {
      const r = await roles();
      return r.filter((x) => x === 'leader').length === 1 ? r.indexOf('leader') : undefined;
    });

    // Agents and visitors spread over the nodes: routing must cross them.
    const agents: { socket: AgentSocket; agentId: string; nodeIndex: number }[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const a = await connectAgent(node(i % NODES), { email: `agent${i}@example.com`, password: `agent${i}-password` });
      agents.push({ ...a, nodeIndex: i % NODES });
    }
    // Presence travels to the leader asynchronously: wait until it sees every agent online.
    await waitFor('every agent online', async () => {
      const list = await ok<AgentDTO[]>(agents[0]!.socket, 'agents:list', {});
      return list.filter((a) => a.role === 'agent' && a.connected).length === AGENTS ? true : undefined;
    });
    const acked = new Map<string, string>(); // message id -> conversation id
    let sent = 0;
    const visitors: { socket: VisitorSocket; token: string; conversationId: string; nodeIndex: number; assignee: string }[] = [];
    for (let j = 0; j < VISITORS; j++) {
      const nodeIndex = (j + 1) % NODES; // offset from the agents, so assignments cross nodes
      const v = await connectVisitor(node(nodeIndex));
      const assigned = next<ConversationDTO>(v.socket, 'conversation:updated', (c) => c.status === 'active', 15_000);
      sent++;
      const result = await ok<SendResult>(v.socket, 'message:send', { clientId: clientId(), body: `hello from visitor ${j}` });
      acked.set(result.message.id, result.conversation.id);
      const conversation = await assigned;
      visitors.push({ socket: v.socket, token: v.token, conversationId: conversation.id, nodeIndex, assignee: conversation.assignee!.id });
    }
    // Least busy first: nine conversations over three agents of capacity 10 is three each.
    const load = agents.map((a) => visitors.filter((v) => v.assignee === a.agentId).length);
    expect(load).toEqual([3, 3, 3]);
    const crossNode = visitors.filter((v) => agents.find((a) => a.agentId === v.assignee)!.nodeIndex !== v.nodeIndex);
    expect(crossNode.length).toBeGreaterThan(0);

    // Replies travel from each agent's node to each visitor's node.
    for (const v of visitors) {
      const agent = agents.find((a) => a.agentId === v.assignee)!;
      const arrives = next<MessageDTO>(v.socket, 'message:new', (m) => m.authorKind === 'agent', 10_000);
      sent++;
      const reply = await ok<SendResult>(agent.socket, 'message:send', { conversationId: v.conversationId, clientId: clientId(), body: 'agent reply' });
      acked.set(reply.message.id, v.conversationId);
      expect((await arrives).id).toBe(reply.message.id);
    }

    // Kill the routing leader without warning.
    await nodes[leaderIndex]!.kill('SIGKILL');
    const survivors = [...Array(NODES).keys()].filter((i) => i !== leaderIndex);
    const newLeader = await waitFor('a new routing leader', async () => {
      const r = await roles();
      const leaders = survivors.filter((i) => r[i] === 'leader');
      return leaders.length === 1 ? leaders[0] : undefined;
    });
    expect(survivors).toContain(newLeader);

    // The killed node's clients reconnect to a survivor, as a browser behind a load balancer would.
    const orphanedAgent = agents.find((a) => a.nodeIndex === leaderIndex)!;
    const requeued: PromiseLike<ConversationDTO>[] = [];
    for (const v of visitors) {
      if (v.nodeIndex === leaderIndex) {
        const again = await connectVisitor(node(survivors[0]!), { token: v.token });
        v.socket = again.socket;
      }
      if (v.assignee === orphanedAgent.agentId) {
        // Their agent is gone: after the grace period the conversation goes back to the queue and to a surviving agent.
        requeued.push(next<ConversationDTO>(v.socket, 'conversation:updated', (c) => c.status === 'active' && c.assignee?.id !== orphanedAgent.agentId, 45_000));
      }
    }
    for (const v of visitors) {
      sent++;
      const result = await ok<SendResult>(v.socket, 'message:send', { conversationId: v.conversationId, clientId: clientId(), body: 'after the failover' });
      acked.set(result.message.id, v.conversationId);
    }
    const reassigned = await Promise.all(requeued);
    const survivingAgents = agents.filter((a) => a !== orphanedAgent).map((a) => a.agentId);
    for (const c of reassigned) expect(survivingAgents).toContain(c.assignee!.id);

    // Every acknowledged message is stored, once, in order.
    let delivered = 0;
    for (const v of visitors) {
      const page = await ok<HistoryPage>(v.socket, 'history:get', { conversationId: v.conversationId, afterSeq: 0, limit: 100 });
      const seqs = page.messages.map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(page.messages.map((m) => m.id)).size).toBe(page.messages.length);
      delivered += page.messages.filter((m) => acked.get(m.id) === v.conversationId).length;
    }
    const lost = acked.size - delivered;
    console.log(`cluster: ${NODES} nodes, leader ${leaderIndex} killed, new leader ${newLeader}; messages sent ${sent}, acknowledged ${acked.size}, delivered ${delivered}, lost ${lost}; ${reassigned.length} conversations requeued and reassigned`);
    expect(lost).toBe(0);
    expect(acked.size).toBe(sent);
  }, 120_000);
});
