/**
 * A cluster node's own sockets hear its broadcasts, joins and disconnects without waiting for Redis to take the
 * stream entry: a real Socket.IO server and client, over a cluster adapter whose stream write never answers (or
 * fails). The entries still go out, in the order the operations were called.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace, type ServerOptions } from 'socket.io';
import { ClusterAdapter, MessageType, type ClusterMessage } from 'socket.io-adapter';
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { createAdapter } from '@socket.io/redis-streams-adapter';
import { deliveringHereFirst } from '../../server/cluster/here-first.ts';
import { connected } from '../support/parley.ts';
import { RecordingClusterAdapter } from '../support/recording-cluster-adapter.ts';

type AdapterFactory = ReturnType<typeof createAdapter>;

/** Stream writes recorded and answered by `write` (never, by default: Redis stalled). */
function recordingAdapter(published: ClusterMessage[], write: () => Promise<string> = () => new Promise(() => {})): AdapterFactory {
  return ((nsp: Namespace) => new RecordingClusterAdapter(nsp, published, write)) as unknown as AdapterFactory;
}

let io: Server | undefined;
let client: Socket | undefined;

afterEach(async () => {
  client?.disconnect();
  await new Promise((resolve) => (io ? io.close(resolve) : resolve(undefined)));
});

async function nodeWithClient(adapter: AdapterFactory, options: Partial<ServerOptions> = {}) {
  const http = createServer();
  io = new Server(http, { adapter, ...options });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await connected(client);
  return { io, client };
}

describe('a node delivering to its own sockets first', () => {
  it('has them join, hear and close while the stream write is unanswered, and writes each entry in call order', async () => {
    const published: ClusterMessage[] = [];
    const failures: unknown[] = [];
    const { io, client } = await nodeWithClient(deliveringHereFirst(recordingAdapter(published), (err) => failures.push(err)));
    const heard = new Promise((resolve) => client.on('hello', resolve));
    const closed = new Promise((resolve) => client.on('disconnect', resolve));

    io.in(client.id!).socketsJoin('room-1');
    io.to('room-1').emit('hello', 'from this node');
    expect(await heard).toBe('from this node');
    io.in('room-1').disconnectSockets(true);
    await closed;

    expect(published.map((m) => m.type)).toEqual([MessageType.SOCKETS_JOIN, MessageType.BROADCAST, MessageType.DISCONNECT_SOCKETS]);
    expect(failures).toEqual([]);
  });

  it('reports a stream write that failed, its own sockets served all the same', async () => {
    const failures: unknown[] = [];
    const down = new Error('Redis is down');
    const { io, client } = await nodeWithClient(deliveringHereFirst(recordingAdapter([], () => Promise.reject(down)), (err) => failures.push(err)));
    const heard = new Promise((resolve) => client.on('hello', resolve));
    io.emit('hello', 'still here');
    expect(await heard).toBe('still here');
    expect(failures).toEqual([down]);
  });

  it("leaves the adapter as it is under connection state recovery, whose packets carry the entry's id", async () => {
    const { io } = await nodeWithClient(deliveringHereFirst(recordingAdapter([]), () => undefined), { connectionStateRecovery: {} });
    const adapter = io.of('/').adapter as unknown as { publishAndReturnOffset: unknown };
    expect(adapter.publishAndReturnOffset).toBe(ClusterAdapter.prototype['publishAndReturnOffset' as keyof ClusterAdapter]);
  });
});
