/** Idle visitors for the connections test: sessions first (so the server's heap baseline excludes them), then sockets. */
import type { Socket } from 'socket.io-client';
import type { Site } from '../setup.ts';
import { pool } from '../stats.ts';
import { connectVisitor, visitorToken } from './targets.ts';

export class IdleVisitors {
  private readonly tokens: string[] = [];
  private readonly sockets: Socket[] = [];
  private nextToken = 0;
  failed = 0;
  errorSample: string | undefined;

  constructor(
    private readonly url: string,
    private readonly site: Site,
  ) {}

  /** Resolves with sessions made per second. */
  async createSessions(count: number): Promise<number> {
    const startedAt = performance.now();
    await pool(count, 16, async () => {
      this.tokens.push(await visitorToken(this.url, this.site));
    });
    return Math.round(count / ((performance.now() - startedAt) / 1000));
  }

  /** Connects until `count` sockets are open (or the tokens run out); failures are counted, not thrown. */
  async connectUpTo(count: number): Promise<{ connected: number; failed: number; connectPerSecond: number; errorSample?: string }> {
    const startedAt = performance.now();
    const wanted = Math.max(0, Math.min(count - this.sockets.length, this.tokens.length - this.nextToken));
    await pool(wanted, 64, async () => {
      try {
        this.sockets.push(await connectVisitor(this.url, this.site, this.tokens[this.nextToken++]!));
      } catch (error) {
        this.failed++;
        this.errorSample ??= String(error);
      }
    });
    const seconds = (performance.now() - startedAt) / 1000;
    const errorSample = this.errorSample ? { errorSample: this.errorSample } : {};
    return { connected: this.sockets.length, failed: this.failed, connectPerSecond: Math.round(wanted / seconds), ...errorSample };
  }

  /** Sockets the server closed since (a server that sheds connections under memory pressure shows here). */
  dropped(): number {
    return this.sockets.filter((socket) => !socket.connected).length;
  }

  close(): void {
    for (const socket of this.sockets) socket.disconnect();
  }
}
