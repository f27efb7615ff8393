/**
 * A TCP proxy on 127.0.0.1 in front of the server whose connections can be cut: reset (RST to both ends,
 * as when a NAT or a Wi-Fi access point forgets the connection) or blackholed (bytes stop flowing and
 * nobody is told, as when a laptop sleeps; only ping timeouts notice).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { shuffle } from './bounded.ts';

/** How long a blackholed connection is kept before its sockets are freed (well past any ping timeout). */
const BLACKHOLE_KEEP_MS = 20_000;

export type CutMode = 'reset' | 'blackhole';

interface Link {
  client: Socket;
  upstream: Socket;
}

export class CuttableProxy {
  private readonly links = new Set<Link>();
  /** Blackholed connections, freed after a while or on close. */
  private readonly held = new Map<NodeJS.Timeout, Link>();
  private readonly server: Server;
  url = '';

  constructor(private readonly targetPort: number) {
    this.server = createServer((client) => this.accept(client));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  /** Cuts up to `count` random open connections; returns how many were cut. */
  cut(count: number, mode: CutMode): number {
    const chosen = shuffle([...this.links]).slice(0, count);
    for (const link of chosen) {
      this.links.delete(link);
      if (mode === 'reset') {
        link.client.resetAndDestroy();
        link.upstream.resetAndDestroy();
      } else {
        this.blackhole(link);
      }
    }
    return chosen.length;
  }

  async close(): Promise<void> {
    for (const timer of this.held.keys()) clearTimeout(timer);
    for (const { client, upstream } of [...this.links, ...this.held.values()]) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    const link = { client, upstream };
    this.links.add(link);
    client.pipe(upstream).pipe(client);
    const end = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }

  private blackhole(link: Link): void {
    const { client, upstream } = link;
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.removeAllListeners('close').removeAllListeners('error').on('error', () => undefined);
    upstream.removeAllListeners('close').removeAllListeners('error').on('error', () => undefined);
    client.pause();
    upstream.pause();
    const timer = setTimeout(() => {
      this.held.delete(timer);
      client.destroy();
      upstream.destroy();
    }, BLACKHOLE_KEEP_MS);
    this.held.set(timer, link);
  }
}
