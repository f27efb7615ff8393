/**
 * Upload byte quotas (per address, per site, unsent in total) and the sweep of files never sent. Quotas run on
 * a real server with RATE_LIMIT_SCALE=1 and small quotas; the sweep is driven by a clock the test moves.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import type { ApiError } from '../../server/contract/errors.ts';
import { AttachmentLinks, AttachmentService } from '../../server/app/attachments.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import {
  backends, clientId, closeAllSockets, connectVisitor, ok, startServer, useNewSite, type TestServer,
} from '../support/parley.ts';

const KIB = 1024;
const FILE = Buffer.alloc(300 * KIB, 'a'); // plain text; three fit in 1 MiB, four do not

let server: TestServer | undefined;
afterEach(async () => {
  closeAllSockets();
  await server?.close();
  server = undefined;
});

async function upload(token: string, body: Buffer = FILE) {
  const res = await fetch(`${server!.url}/api/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', 'x-file-name': 'notes.txt' },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as { id: string } & { error: ApiError } };
}

function storedBytes(): number {
  const db = new Database(join(server!.dataDir, 'parley.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COALESCE(SUM(size), 0) AS bytes FROM Attachment').get() as { bytes: number }).bytes;
  } finally {
    db.close();
  }
}

describe('upload byte quotas', () => {
  it('lets new visitors from one address store 1 MiB an hour between them, then refuses with when to retry', async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1', UPLOAD_QUOTA_ADDRESS_MB: '1' });
    const visitors = [await connectVisitor(server), await connectVisitor(server), await connectVisitor(server)];
    for (const visitor of visitors) expect((await upload(visitor.token)).status).toBe(201);

    const refused = await upload(visitors[0]!.token);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/network/) });
    expect(refused.body.error.retryAfterMs).toBeGreaterThan(59 * 60_000);
    const fourth = await connectVisitor(server);
    expect((await upload(fourth.token)).status).toBe(429);
    expect(storedBytes()).toBe(3 * FILE.length);
  });

  it('refuses by the declared length before reading the body', async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1', UPLOAD_QUOTA_ADDRESS_MB: '1' });
    const visitor = await connectVisitor(server);
    // The request announces 2 MiB and sends none of it: only an answer that does not wait for the body arrives.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server!.url}/api/attachments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${visitor.token}`, 'content-type': 'text/plain', 'content-length': String(2 * 1024 * KIB) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(429);
    expect(storedBytes()).toBe(0);
  });

  it('holds a per-site daily quota, whatever the addresses, without touching other sites', async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1', UPLOAD_QUOTA_ADDRESS_MB: '100', UPLOAD_QUOTA_SITE_MB: '1' });
    const visitor = await connectVisitor(server);
    for (let i = 0; i < 3; i++) expect((await upload(visitor.token)).status).toBe(201);
    const refused = await upload(visitor.token);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/site/) });

    await useNewSite(server, 'Other shop');
    expect((await upload((await connectVisitor(server)).token)).status).toBe(201);
  });

  it('caps what is stored unsent; sending a file frees its room', async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1', UPLOAD_QUOTA_ADDRESS_MB: '100', UPLOAD_UNSENT_MAX_MB: '1' });
    const visitor = await connectVisitor(server);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await upload(visitor.token)).body.id);
    const refused = await upload(visitor.token);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/waiting to be sent/) });

    await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: '', attachmentIds: [ids[0]] });
    expect((await upload(visitor.token)).status).toBe(201);
    expect(storedBytes()).toBe(4 * FILE.length);
  });
});

describe.each(backends)('unsent attachment sweep (%s)', (backend) => {
  it('deletes files never sent once their TTL has passed, and keeps sent and recent ones', async () => {
    server = await startServer({}, backend);
    const clock = new ManualClock(Date.now());
    const ttlMs = 60 * 60_000;
    const quotas = { addressBytes: 100 * 1024 * KIB, siteBytes: 100 * 1024 * KIB, unsentBytes: 100 * 1024 * KIB, unsentTtlMs: ttlMs };
    const service = new AttachmentService(server.parley.store, new AttachmentLinks('s'.repeat(32), clock), clock, quotas);
    const visitor = await connectVisitor(server);
    const uploader = { kind: 'visitor' as const, visitorId: visitor.visitorId!, siteId: server.site.id, address: '192.0.2.1' };
    const put = async () => (await service.upload(uploader, { fileName: 'a.txt', data: Buffer.from('hello'), conversationId: null })).id;

    const unsent = await put();
    const sent = await put();
    await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: '', attachmentIds: [sent] });
    clock.advance(ttlMs - 1);
    expect(await service.sweepUnsent()).toBe(0);
    const recent = await put();

    clock.advance(2);
    expect(await service.sweepUnsent()).toBe(1);
    expect(await server.parley.store.attachments.findById(unsent)).toBeNull();
    expect(await server.parley.store.attachments.findById(sent)).not.toBeNull();
    expect(await server.parley.store.attachments.findById(recent)).not.toBeNull();
    expect(await service.sweepUnsent()).toBe(0);
  });
});
