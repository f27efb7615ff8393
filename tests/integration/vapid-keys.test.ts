/**
 * Web Push keys: configured keys are the ones consoles subscribe with; generated keys work for one node only
 * (each node would generate its own, and browsers subscribed against one key refuse pushes signed with another),
 * so a clustered node on generated keys says so at start. The cluster case is skipped without PostgreSQL and
 * Redis (required under CI).
 */
import { randomUUID } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import type { PushSetupDTO } from '../../server/contract/alerts.ts';
import { postgresAvailable } from '../support/postgres.ts';
import { redisAvailable, redisUrl } from '../support/redis.ts';
import { ADMIN, login, startServer } from '../support/parley.ts';

const WARNING = 'Web Push keys were generated';

describe('VAPID keys', { timeout: 60_000 }, () => {
  it('uses configured keys and hands the public key to consoles', async () => {
    const keys = webpush.generateVAPIDKeys();
    const server = await startServer({ VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey });
    try {
      const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
      const setup = (await (await fetch(`${server.url}/api/agent/push`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as PushSetupDTO;
      expect(setup).toEqual({ publicKey: keys.publicKey, subscriptions: [] });
    } finally {
      await server.close();
    }
  });

  it.skipIf(!postgresAvailable || !redisAvailable)('warns at start when a clustered node runs on generated keys', async () => {
    const server = await startServer({ REDIS_URL: redisUrl, CLUSTER_NAME: `vapid-${randomUUID().slice(0, 8)}` }, 'postgresql');
    try {
      expect(server.logs.some((line) => line.includes(WARNING))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
