/** Redis for tests: reachable or not (a failure under CI=true), like support/postgres.ts. */
import { Redis } from 'ioredis';

export const redisUrl = process.env.REDIS_URL_TEST ?? 'redis://127.0.0.1:6379';

async function reachable(): Promise<boolean> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export const redisAvailable = await reachable();
if (!redisAvailable && process.env.CI === 'true') {
  throw new Error(`Redis at ${redisUrl} is unreachable, and CI=true requires it (set REDIS_URL_TEST)`);
}
if (!redisAvailable) console.warn(`Skipping Redis tests: ${redisUrl} is unreachable (CI=true makes this a failure)`);
