/**
 * Requests to the routing leader over a real Redis: answered by the node that serves (the leader) alone, each
 * answer back to the node that asked, no answer at once when nobody leads, and never across clusters sharing the
 * Redis. Skipped with a message when Redis is missing (a failure under CI=true).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaderRequests, type LeaderRequests } from '../../server/cluster/leader-requests.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';

const log = pino({ level: 'silent' });
type Line = LeaderRequests<{ n: number }, { n: number; by: string }>;
/**
 * Longer than a test may run: an ask that waited for it instead of being answered (or told that no one leads)
 * fails the test. Only the case of a leader that never answers uses a short one.
 */
const NEVER_MS = 60_000;

describe.skipIf(!redisAvailable)('requests to the routing leader', () => {
  const redis: Redis[] = [];
  const cluster = `lr-${randomUUID().slice(0, 8)}`;
  let nodes: Line[];
  let otherCluster: Line;

  const line = (name: string, answerTimeoutMs = NEVER_MS) => {
    const connection = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    redis.push(connection);
    return leaderRequests<{ n: number }, { n: number; by: string }>(connection, name, log, answerTimeoutMs);
  };
  const serveAs = (node: Line, by: string) => node.serve(async ({ n }) => ({ n, by }));

  beforeAll(() => {
    nodes = [line(`${cluster}:routing`), line(`${cluster}:routing`), line(`${cluster}:routing`)];
    otherCluster = line(`${cluster}-other:routing`);
  });

  afterAll(() => {
    for (const node of [...nodes, otherCluster]) node.close();
    for (const connection of redis) connection.disconnect();
  });

  it('answers at once that no one leads, without waiting for the timeout', async () => {
    // The PUBLISH reached no subscriber: the asker knows without waiting the answer timeout out.
    expect(await nodes[1]!.ask({ n: 1 })).toBeUndefined();
  });

  it('is answered by the leader alone, each answer to the node that asked', async () => {
    await serveAs(nodes[0]!, 'leader');
    const asks = [nodes[1]!, nodes[2]!, nodes[1]!, nodes[2]!].map((node, n) => node.ask({ n }));
    expect(await Promise.all(asks)).toEqual([0, 1, 2, 3].map((n) => ({ n, by: 'leader' })));
    // The leader asks itself through the line as any node would.
    expect(await nodes[0]!.ask({ n: 9 })).toEqual({ n: 9, by: 'leader' });
  });

  it('follows the leadership when it moves to another node', async () => {
    await nodes[0]!.serve(undefined);
    expect(await nodes[1]!.ask({ n: 1 })).toBeUndefined();
    await serveAs(nodes[2]!, 'new leader');
    expect(await nodes[1]!.ask({ n: 2 })).toEqual({ n: 2, by: 'new leader' });
  });

  it("never reaches another cluster's leader on the same Redis", async () => {
    await serveAs(otherCluster, 'other cluster');
    await nodes[2]!.serve(undefined);
    expect(await nodes[1]!.ask({ n: 3 })).toBeUndefined();
    expect(await otherCluster.ask({ n: 4 })).toEqual({ n: 4, by: 'other cluster' });
    await otherCluster.serve(undefined);
  });

  it('gives up after the timeout on a leader that heard the request but never answered (its process died)', async () => {
    const impatient = line(`${cluster}:routing`, 300);
    await nodes[0]!.serve(() => new Promise(() => {}));
    try {
      expect(await impatient.ask({ n: 5 })).toBeUndefined();
    } finally {
      await nodes[0]!.serve(undefined);
      impatient.close();
    }
  });
});
