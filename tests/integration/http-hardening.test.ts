/**
 * HTTP hardening: slow requests are cut, client mistakes are 4xx and not logged as failures, https settings
 * follow PUBLIC_URL, DEMO=false turns the demo off.
 */
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startServer, type TestServer } from '../support/parley.ts';

/** Sends `data` on a raw connection and resolves with everything the server answered once it closes. */
function rawExchange(url: string, data: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(data));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('a default server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('cuts a slow-loris: headers that never end, and a body that trickles', async () => {
    const [headers, body] = await Promise.all([
      rawExchange(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '),
      rawExchange(server.url, 'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"em'),
    ]);
    expect(headers).toMatch(/^HTTP\/1\.1 408/);
    expect(body).toMatch(/^HTTP\/1\.1 408/);
    expect(body).toContain('"code":"BAD_REQUEST"');
  });

  it('answers a malformed percent-encoding in a path with 400, as JSON, without logging a failure', async () => {
    for (const path of ['/api/attachments/%E0%A4%A', '/console/%zz']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(400);
      expect(await res.json(), path).toEqual({ error: { code: 'BAD_REQUEST', message: expect.stringMatching(/percent-encoding/) } });
    }
    expect(server.logs.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});

describe('a production server (PUBLIC_URL https, DEMO=false)', () => {
  let server: TestServer;
  /** Where the proxy reaches this node (server.url is the public https one). */
  let direct: string;
  beforeAll(async () => {
    server = await startServer({ PUBLIC_URL: 'https://chat.example.com', DEMO: 'false' });
    direct = `http://127.0.0.1:${(server.parley.httpServer.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('sends HSTS and a Secure refresh cookie even when the proxy reached it over plain http', async () => {
    const health = await fetch(`${direct}/healthz`);
    expect(health.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const login = await fetch(`${direct}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    expect(login.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('serves no demo page and created no demo site', async () => {
    const demo = await fetch(`${direct}/`);
    expect(demo.status).toBe(404);
    expect(server.parley.firstRun.createdSiteKey).toBeUndefined();
    // The only site is the one the test harness created.
    expect((await server.parley.store.sites.list()).map((s) => s.name)).toEqual(['Shop']);
  });
});
