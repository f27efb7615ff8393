/**
 * A webhook receiver on 127.0.0.1 for tests: each request is answered by the next scripted behaviour (500, 503, hang,
 * reset before answering, a redirect, an endless body), then 200; every request is recorded with its headers.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'ok' | '500' | '503' | 'hang' | 'reset' | { redirect: string } | 'endless';

export interface Received {
  headers: Record<string, string>;
  body: string;
  /** Answered 2xx: the delivery counts. */
  accepted: boolean;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  script: Behaviour[];
  close(): Promise<void>;
  /** Listens again on the same port (after close: the receiver was down). */
  reopen(): Promise<void>;
}

export async function startReceiver(script: Behaviour[] = [], port = 0): Promise<Receiver> {
  const received: Received[] = [];
  let server: Server;
  const listen = (onPort: number) =>
    new Promise<Server>((resolve) => {
      const s = createServer(async (req, res) => {
        const body = await readAll(req);
        const behaviour = receiver.script.shift() ?? 'ok';
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        received.push({ headers, body, accepted: behaviour === 'ok' || behaviour === 'endless' });
        if (behaviour === 'ok') res.end('thanks');
        else if (behaviour === '500') res.writeHead(500).end('broken');
        else if (behaviour === '503') res.writeHead(503, { 'retry-after': '1' }).end('unavailable');
        else if (behaviour === 'reset') req.socket.destroy();
        else if (behaviour === 'endless') {
          res.writeHead(200);
          const chunk = Buffer.alloc(64 * 1024, 'x');
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
        } else if (typeof behaviour === 'object') res.writeHead(302, { location: behaviour.redirect }).end();
        // 'hang': never answered; closed with the server.
      });
      s.listen(onPort, '127.0.0.1', () => resolve(s));
    });
  server = await listen(port);
  const actualPort = (server.address() as AddressInfo).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${actualPort}/hook`,
    port: actualPort,
    received,
    script: [...script],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    async reopen() {
      server = await listen(actualPort);
    },
  };
  return receiver;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
