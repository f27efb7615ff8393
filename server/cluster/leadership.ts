/**
 * Exactly one routing leader per cluster: the node holding a PostgreSQL session advisory lock. The lock dies
 * with the leader's connection, so when a leader crashes another node takes over within one poll.
 */
import pg from 'pg';
import type { Logger } from '../app/logger.ts';

import { createHash } from 'node:crypto';

/** The advisory lock key every node of the named cluster contends for (a signed 63-bit number). */
function lockKey(clusterName: string): string {
  return BigInt.asIntN(63, createHash('sha256').update(`parley-routing:${clusterName}`).digest().readBigUInt64BE()).toString();
}

export class PostgresLeadership {
  private client: pg.Client | null = null;
  private leader = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private readonly key: string;

  constructor(
    clusterName: string,
    private readonly connectionString: string,
    private readonly onChange: (leader: boolean) => Promise<void>,
    private readonly log: Logger,
    private readonly pollMs = 1000,
  ) {
    this.key = lockKey(clusterName);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Takes the lead if it is free; otherwise starts as a follower and keeps trying. */
  async start(): Promise<void> {
    await this.tryAcquire();
    if (!this.leader) await this.onChange(false);
  }

  /** Shutting down: the lock is released with the connection; the caller stops routing itself. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.leader = false;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private async tryAcquire(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.client) this.client = await this.connect();
      if (!this.leader) {
        const { rows } = await this.client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.key]);
        if (rows[0]?.locked) await this.change(true);
      } else {
        await this.client.query('SELECT 1'); // a leader proves its lock connection is still alive
      }
    } catch (err) {
      this.log.warn({ err }, 'leadership check failed');
      await this.lose();
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tryAcquire(), this.pollMs).unref();
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5000 });
    client.on('error', (err) => {
      this.log.warn({ err }, 'leadership connection lost');
      void this.lose();
    });
    await client.connect();
    return client;
  }

  /** The lock went with the connection: stop routing at once, then try again on a new connection. */
  private async lose(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
    if (this.leader) await this.change(false);
  }

  private async change(leader: boolean): Promise<void> {
    this.leader = leader;
    this.log.info({ leader }, leader ? 'became the routing leader' : 'no longer the routing leader');
    await this.onChange(leader);
  }
}
