/** Page views a visitor reports are kept to the newest 50 (what agents see): moving between pages for hours stores no more. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { connectVisitor, ok, useSharedServer, type TestServer } from '../support/parley.ts';

let server: TestServer;
useSharedServer((started) => (server = started));

const KEPT = 50;

describe('page views', () => {
  it('keeps only the newest page views of a visitor', async () => {
    const visitor = await connectVisitor(server);
    const visits = KEPT + 15;
    for (let i = 0; i < visits; i++) await ok(visitor.socket, 'visitor:update', { context: { pageUrl: `https://shop.example.com/p${i}` } });

    const db = new Database(join(server.dataDir, 'parley.db'), { readonly: true });
    try {
      const urls = (db.prepare('SELECT url FROM PageView WHERE visitorId = ?').all(visitor.visitorId) as { url: string }[]).map((v) => v.url);
      expect(urls).toHaveLength(KEPT);
      expect(urls).toContain(`https://shop.example.com/p${visits - 1}`);
      expect(urls).not.toContain('https://shop.example.com/p0');
    } finally {
      db.close();
    }
  });
});
