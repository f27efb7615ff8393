/**
 * One node (the default) or a cluster (REDIS_URL): what differs is where Socket.IO broadcasts go, where rate
 * limit buckets live, and who runs routing. Everything else is the same code on every node.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { parseDatabaseUrl } from '../../prisma/database-url.ts';
import type { Config } from '../config.ts';
import type { TokenBuckets } from '../app/limits.ts';
import type { RoutingService } from '../app/routing.ts';
import type { Routing } from '../app/routing-port.ts';
import type { Logger } from '../app/logger.ts';
import type { Clock } from '../domain/clock.ts';
import { RateLimiter } from '../domain/rate-limit.ts';
import { ClusterRouting, type RoutingReply, type RoutingRequest } from './cluster-routing.ts';
import { leaderRequests } from './leader-requests.ts';
import { PostgresLeadership } from './leadership.ts';
import { RedisRateLimiter } from './redis-rate-limiter.ts';
import { deliveringHereFirst } from './here-first.ts';
import { skippingUnheardBroadcasts } from './unheard-broadcasts.ts';
import { reportingUnawaitedPublishes } from './unawaited-publishes.ts';

export interface Topology {
  clustered: boolean;
  /** 'single' on one node; in a cluster, whether this node runs routing now. */
  role(): 'single' | 'leader' | 'follower';
  adapter: ReturnType<typeof createAdapter> | undefined;
  buckets: TokenBuckets;
  /** What the rest of the server uses for routing: the local service, or its cluster-aware front. */
  routing(local: RoutingService, io: Server): Routing;
  /** Starts routing: at once on one node; in a cluster, when this node wins the leader lock. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createTopology(config: Config, clock: Clock, log: Logger): Topology {
  if (!config.REDIS_URL) {
    let local: RoutingService | undefined;
    return {
      clustered: false,
      role: () => 'single',
      adapter: undefined,
      buckets: new RateLimiter(clock),
      routing: (service) => (local = service),
      start: async () => local?.start(),
      stop: async () => local?.stop(),
    };
  }
  // Every message costs a rate-limit take and an adapter XADD per emit, each its own socket write when sent alone:
  // auto-pipelining joins the commands issued in one turn of the event loop into one write and one reply read.
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false, enableAutoPipelining: true });
  redis.on('error', (err) => log.warn({ err }, 'redis error'));
  // Closed by stop(): what the node still says to the others as it stops needs no warning.
  reportingUnawaitedPublishes(redis, (err) => redis.status === 'end' || log.warn({ err }, 'a message to the other nodes did not reach Redis'));
  const target = parseDatabaseUrl(config.DATABASE_URL);
  let cluster: ClusterRouting | undefined;
  let leadership: PostgresLeadership | undefined;
  const buckets = new RedisRateLimiter(redis, clock, `${config.CLUSTER_NAME}:limit:`);
  return {
    clustered: true,
    role: () => (cluster?.isLeader ? 'leader' : 'follower'),
    adapter: skippingUnheardBroadcasts(
      deliveringHereFirst(createAdapter(redis, { ...adapterChannels(config.CLUSTER_NAME), readCount: STREAM_READ_COUNT }), (err) =>
        log.warn({ err }, 'a broadcast did not reach the Redis stream: other nodes missed it'),
      ),
    ),
    buckets,
    routing: (local, io) => (cluster = new ClusterRouting(local, io, leaderRequests<RoutingRequest, RoutingReply>(redis, `${config.CLUSTER_NAME}:routing`, log), log)),
    async start() {
      await warnIfRedisEvicts(buckets, log);
      if (target.provider === 'sqlite') return cluster!.leadershipChanged(true); // one SQLite file means one node
      leadership = new PostgresLeadership(config.CLUSTER_NAME, target.config.connectionString, (leader) => cluster!.leadershipChanged(leader), log);
      await leadership.start();
    },
    async stop() {
      await leadership?.stop();
      await cluster?.stop();
      redis.disconnect();
    },
  };
}

/**
 * Stream entries a node reads per round trip. The adapter's default, 100, caps how fast a node catches up: each read
 * waits for the last one's entries to be handled, so a node that falls behind (every node reads every entry, two
 * or more per message) stays behind. In the bench's cluster section, three nodes driven to about 3,800 msg/s (rate
 * limits taken out of Redis for the test) lagged with 100 (visitor→agent p50 311 ms, p99 1.6 s, fewer delivered
 * than acknowledged) and kept up with 1,000 (p50 84 ms, p99 208 ms). A read returns what is there, so an idle node
 * reads as often as before.
 */
const STREAM_READ_COUNT = 1000;

/**
 * Every Redis name the Socket.IO adapter uses, under this cluster's name. The stream alone is not enough: requests
 * that want answers (fetchSockets, which reads presence) travel on PUB/SUB channels, and the adapter counts the
 * nodes it waits for by those channels' subscribers. With the default "socket.io" prefix, two clusters on one Redis
 * would wait for each other's nodes. Routing requests (leader-requests.ts) live under the cluster's name for the
 * same reason: a command must never reach the other cluster's leader, which would run it against the other database.
 */
function adapterChannels(clusterName: string) {
  const prefix = `${clusterName}:socket.io`;
  return { streamName: prefix, channelPrefix: prefix, sessionKeyPrefix: `${prefix}:session:` };
}

/** Rate limits hold only if Redis never evicts a bucket still limiting; a managed Redis may not answer CONFIG. */
async function warnIfRedisEvicts(buckets: RedisRateLimiter, log: Logger): Promise<void> {
  const evicts = await buckets.evicts().catch(() => undefined);
  if (evicts !== false) log.warn({ evicts }, 'Redis may evict keys (maxmemory-policy is not noeviction): rate limits could forget limited clients');
}
