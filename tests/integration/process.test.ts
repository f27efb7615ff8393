import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { spawnServer } from '../support/spawn-server.ts';

const run = promisify(execFile);

describe('the server process', () => {
  it('serves health and readiness, the demo page and console, and exits 0 on SIGTERM', async () => {
    const server = await spawnServer({ env: { ADMIN_PASSWORD: 'process-test-pw', TRUST_PROXY: 'loopback' } });
    let stopped = false;
    try {
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready', role: 'single' });
      const demo = await fetch(`${server.url}/`);
      expect(demo.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(await demo.text()).toMatch(/<script async src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-site="site_[\w-]+"><\/script>/);
      const frame = await fetch(`${server.url}/frame/?site=unknown`);
      expect(frame.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
      const console = await fetch(`${server.url}/console/`);
      expect(console.status).toBe(200);
      for (const csp of [frame.headers.get('content-security-policy')!, console.headers.get('content-security-policy')!]) {
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
      }
      expect(console.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(console.headers.get('strict-transport-security')).toBeNull(); // plain http here
      const behindTls = await fetch(`${server.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(behindTls.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      // The CLI works beside the running server on the same SQLite file.
      const cli = await run('npm', ['run', '--silent', 'cli', '--', 'site', 'create', '--name', 'Beside', '--origin', 'https://beside.example', '--json'], {
        env: { ...process.env, DATA_DIR: server.dataDir, DATABASE_URL: `file:${server.dataDir}/parley.db` },
      });
      expect(JSON.parse(cli.stdout)).toMatchObject({ key: expect.stringMatching(/^site_/) });
      const exit = await server.stop();
      stopped = true;
      expect(exit).toEqual({ code: 0, signal: null });
    } finally {
      if (!stopped) await server.stop();
    }
  }, 90_000);

  it('refuses to start on an invalid setting, naming it', async () => {
    const attempt = run(process.execPath, ['--experimental-wasm-modules', '--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', JWT_SECRET: 'short' },
    });
    await expect(attempt).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/Invalid configuration:[\s\S]*PORT[\s\S]*JWT_SECRET: must be at least 32 characters/),
    });
  }, 60_000);
});
