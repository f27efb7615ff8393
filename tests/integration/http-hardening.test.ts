/** HTTP hardening: slow requests are cut, client mistakes are 4xx and not logged as failures. */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/parley.ts';

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
