/**
 * Parley compresses what it sends, without a proxy in front: the build's brotli and gzip variants of the
 * widget, frame and console assets, and JSON answers above 1 KiB, each as the client's Accept-Encoding allows.
 */
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST } from '../../server/http/static.ts';
import { rawGet, type RawResponse, scriptsOf } from '../../widget/build/wire-size.ts';
import { ADMIN, login, SITE_ORIGIN, startServer, type TestServer } from '../support/parley.ts';

/** Accept-Encoding as sent, and the coding that must come back. */
const ASKS = [
  [undefined, undefined],
  ['br', 'br'],
  ['gzip', 'gzip'],
  ['br;q=0, gzip', 'gzip'],
  ['gzip, deflate, br, zstd', 'br'],
  ['identity', undefined],
] as const;

const get = (url: string, acceptEncoding?: string, headers: Record<string, string> = {}) =>
  rawGet(url, { ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}), ...headers });

function decoded(res: RawResponse): Buffer {
  const coding = res.headers['content-encoding'];
  return coding === 'br' ? brotliDecompressSync(res.body) : coding === 'gzip' ? gunzipSync(res.body) : res.body;
}

describe('compression', () => {
  let first: TestServer;
  let second: TestServer;
  /** Filled once the first server runs: the frame and console scripts have hashed names. */
  const assets: Record<string, string> = {};

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'widget', 'widget.js.br'))) throw new Error('dist/ has no precompressed files: run `npm run build`');
    first = await startServer();
    const frameHtml = (await get(`${first.url}/frame/?site=${first.site.publicKey}`)).body.toString('utf8');
    const consoleHtml = (await get(`${first.url}/console/`)).body.toString('utf8');
    Object.assign(assets, {
      'widget.js': '/widget.js',
      'the frame page': `/frame/?site=${first.site.publicKey}`,
      'the frame script': scriptsOf(frameHtml)[0],
      'the console page': '/console/',
      'a console link (the single-page app)': '/console/invite',
      'the console script': scriptsOf(consoleHtml)[0],
    });
    // A rebuild rewrites every file: the same bytes with a new mtime must keep their ETags.
    const later = new Date(Date.now() + 60_000);
    for (const file of ['widget.js', 'widget.js.br', 'widget.js.gz']) utimesSync(join(DIST, 'widget', file), later, later);
    second = await startServer();
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('finds a frame script and a console script to check', () => {
    expect(assets['the frame script']).toMatch(/^\/frame\/assets\/.+\.js$/);
    expect(assets['the console script']).toMatch(/^\/console\/assets\/.+\.js$/);
  });

  it.each([
    'widget.js', 'the frame page', 'the frame script', 'the console page', 'a console link (the single-page app)', 'the console script',
  ])('serves %s in the best coding the browser accepts, each coding with its own stable ETag', async (asset) => {
    const path = assets[asset]!;
    const plain = await get(`${first.url}${path}`);
    expect(plain.status).toBe(200);
    const tags = new Map<string | undefined, string>();
    for (const [ask, coding] of ASKS) {
      const res = await get(`${first.url}${path}`, ask);
      const where = `${path} with Accept-Encoding ${ask}`;
      expect(res.status, where).toBe(200);
      expect(res.headers['content-encoding'], where).toBe(coding);
      expect(res.headers.vary, where).toMatch(/accept-encoding/i);
      expect(res.headers['content-type']?.toLowerCase(), where).toBe(plain.headers['content-type']?.toLowerCase());
      expect(res.headers['cache-control'], where).toBe(plain.headers['cache-control']);
      expect(res.headers['content-security-policy'], where).toBe(plain.headers['content-security-policy']);
      expect(decoded(res).equals(plain.body), where).toBe(true);
      const etag = res.headers.etag!;
      expect(etag, where).toMatch(/^"[\w-]+"$/);
      if (tags.has(coding)) expect(etag, where).toBe(tags.get(coding));
      tags.set(coding, etag);
      expect((await get(`${second.url}${path}`, ask)).headers.etag, `${where}, second server`).toBe(etag);
      const again = await get(`${first.url}${path}`, ask, { 'if-none-match': etag });
      expect(again.status, `${where}, If-None-Match`).toBe(304);
      expect(again.body.length).toBe(0);
    }
    expect(new Set(tags.values()).size, 'one ETag per coding').toBe(3);
  });

  it('keeps the caching rules: widget.js for 5 minutes, hashed assets for good', async () => {
    expect((await get(`${first.url}/widget.js`, 'br')).headers['cache-control']).toBe('public, max-age=300');
    for (const path of [assets['the frame script']!, assets['the console script']!]) {
      expect((await get(`${first.url}${path}`, 'br')).headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
    }
  });

  it('compresses a JSON answer above 1 KiB as the client accepts, and not a small one', async () => {
    for (let i = 0; i < 6; i++) await first.parley.admin.createSite({ name: `Compressed shop ${i}`, origins: [SITE_ORIGIN] });
    const auth = { authorization: `Bearer ${(await login(first, ADMIN.email, ADMIN.password)).accessToken}` };
    const url = `${first.url}/api/admin/sites`;
    const plain = await rawGet(url, auth);
    expect(plain.status).toBe(200);
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const [ask, coding] of ASKS) {
      const res = await get(url, ask, auth);
      const where = `Accept-Encoding ${ask}`;
      expect(res.status, where).toBe(200);
      expect(res.headers['content-encoding'], where).toBe(coding);
      expect(res.headers.vary, where).toMatch(/accept-encoding/i);
      expect(res.headers['content-type'], where).toMatch(/^application\/json/);
      expect(Number(res.headers['content-length']), where).toBe(res.body.length);
      expect(JSON.parse(decoded(res).toString('utf8')), where).toEqual(JSON.parse(plain.body.toString('utf8')));
      const again = await get(url, ask, { ...auth, 'if-none-match': res.headers.etag! });
      expect(again.status, `${where}, If-None-Match`).toBe(304);
    }
    const small = await get(`${first.url}/api/admin/canned`, 'br', auth);
    expect(small.status).toBe(200);
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
