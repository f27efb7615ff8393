import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportingUnawaitedPublishes } from '../../server/cluster/unawaited-publishes.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';

describe.skipIf(!redisAvailable)('a PUBLISH that Redis cannot take', () => {
  const cleanUp: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanUp.splice(0).reverse()) await step();
  });

  async function client(): Promise<Redis> {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 0 });
    cleanUp.push(() => redis.disconnect());
    await new Promise((resolve) => redis.once('ready', resolve));
    return redis;
  }

  /** A Socket.IO server on the stream adapter, as a cluster node has, once it listens to the other nodes. */
  async function node(redis: Redis): Promise<Server> {
    const prefix = `test-${randomBytes(4).toString('hex')}`;
    // Attached to a server that never listens: io.close() needs one to close.
    const io = new Server(createServer(), { adapter: createAdapter(redis, { streamName: prefix, channelPrefix: prefix, blockTimeInMs: 100 }) });
    cleanUp.push(() => io.close());
    // Closed before its own subscription is made, the adapter would leave that command's rejection unhandled too.
    const adapter = io.of('/').adapter as unknown as { serverCount(): Promise<number> };
    await vi.waitFor(async () => expect(await adapter.serverCount()).toBe(1));
    return io;
  }

  it('is reported, not left an unhandled rejection, when the adapter sends it and drops its promise', async () => {
    const redis = await client();
    const io = await node(redis);
    const failed = vi.fn();
    reportingUnawaitedPublishes(redis, failed);
    redis.disconnect();
    // serverSideEmit goes over PUB/SUB; without the wrapper its rejection ends the test run as unhandled.
    io.serverSideEmit('parley:test');
    await vi.waitFor(() => expect(failed).toHaveBeenCalledWith(expect.objectContaining({ message: 'Connection is closed.' })));
  });

  it('still rejects for a caller that awaits its PUBLISH, and leaves one that succeeds alone', async () => {
    const redis = await client();
    const failed = vi.fn();
    reportingUnawaitedPublishes(redis, failed);
    expect(await redis.publish('parley:test', 'heard')).toBe(0);
    redis.disconnect();
    await expect(redis.publish('parley:test', 'lost')).rejects.toThrow('Connection is closed.');
    expect(failed).toHaveBeenCalledTimes(1);
  });
});
