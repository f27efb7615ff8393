/**
 * Two clusters sharing one Redis (CLUSTER_NAME tells them apart) must not hear each other. Presence is read with
 * fetchSockets and requests that want replies travel on the adapter's PUB/SUB channels, so a node of another
 * cluster answering them would mix its agents into ours. (Routing requests to the leader have their own line,
 * under the cluster's name too: leader-requests.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopology, type Topology } from '../../server/cluster/topology.ts';
import { loadConfig } from '../../server/config.ts';
import { wallClock } from '../../server/domain/clock.ts';
import { connected, sleep } from '../support/parley.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';

const log = pino({ level: 'silent' });

interface Node {
  name: string;
  io: Server;
  http: HttpServer;
  topology: Topology;
  url: string;
}

async function startNode(clusterName: string, name: string): Promise<Node> {
  const topology = createTopology(loadConfig({ REDIS_URL: redisUrl, CLUSTER_NAME: clusterName, DATABASE_URL: 'file:unused.db' }), wallClock, log);
  const http = createServer();
  const io = new Server(http, { adapter: topology.adapter });
  io.on('whoami', (reply: (name: string) => void) => reply(name));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { name, io, http, topology, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

describe.skipIf(!redisAvailable)('two clusters on one Redis', () => {
  const suffix = randomUUID().slice(0, 8);
  const nodes: Node[] = [];
  const clients: Socket[] = [];

  beforeAll(async () => {
    nodes.push(
      await startNode(`ours-${suffix}`, 'ours-1'),
      await startNode(`ours-${suffix}`, 'ours-2'),
      await startNode(`theirs-${suffix}`, 'theirs-1'),
    );
    // One connection on every node, named after it, for fetchSockets to find.
    for (const node of nodes) {
      node.io.on('connection', (socket) => void (socket.data = { node: node.name }));
      const client = connect(node.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      clients.push(client);
      await connected(client);
    }
    // The adapter subscribes asynchronously after it is created: wait until each node counts its own cluster.
    const members = { ours: 2, theirs: 1 };
    for (const node of nodes) {
      const expected = members[node.name.startsWith('ours') ? 'ours' : 'theirs'];
      while ((await node.io.of('/').adapter.serverCount()) < expected) await sleep(50);
    }
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const node of nodes) {
      await node.io.close();
      await node.topology.stop();
    }
  });

  it("answers a request that wants replies from this cluster's nodes only", async () => {
    const replies: string[] = await nodes[0]!.io.serverSideEmitWithAck('whoami');
    expect(replies).toEqual(['ours-2']);
  });

  it("reads connections (presence) from this cluster's nodes only", async () => {
    const sockets = await nodes[0]!.io.fetchSockets();
    expect(sockets.map((s) => (s.data as { node: string }).node).sort()).toEqual(['ours-1', 'ours-2']);
  });
});
