import { decodeExtended, parse } from 'content-disposition';
import { request } from 'node:http';
import jwt from 'jsonwebtoken';
import { io, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { HistoryPage, MessageDTO } from '../../server/contract/dto.ts';
import { DEFAULT_WIDGET_SETTINGS } from '../../server/contract/defaults.ts';
import { MAX_MESSAGE_LENGTH, MAX_PACKET_BYTES, type SendResult } from '../../server/contract/events.ts';
import {
  ADMIN, ask, clientId, connectAgent, connectVisitor, createAgent, login, next, ok, record, recordAgentMessages, SITE_ORIGIN, sleep,
  startServer, useNewSite, useSharedServer, visitorSession, type TestServer,
} from '../support/parley.ts';

let server: TestServer;
useSharedServer((started) => (server = started));

/** Resolves with the handshake error's code, or 'connected' if the server let the socket in. */
function handshake(namespace: string, token: unknown, origin: string | undefined): Promise<string> {
  const socket = io(`${server.url}${namespace}`, {
    transports: ['websocket'],
    auth: { token },
    extraHeaders: origin === undefined ? {} : { origin },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve) => {
    socket.on('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => resolve(err.data?.code ?? err.message));
  });
}

describe('origins', () => {
  it('refuses visitor handshakes from look-alike, null, missing and foreign origins', async () => {
    const { token } = await visitorSession(server);
    expect(await handshake('/visitor', token, SITE_ORIGIN)).toBe('connected');
    expect(await handshake('/visitor', token, server.url)).toBe('connected'); // the frame, on our own origin
    for (const origin of ['https://evil-example.com', 'https://shop.example.com.evil.com', 'https://evil.com', 'null', 'http://shop.example.com', 'https://SHOP.example.com']) {
      expect(await handshake('/visitor', token, origin), origin).toBe('ORIGIN_NOT_ALLOWED');
    }
    expect(await handshake('/visitor', token, undefined)).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('refuses to hand out visitor tokens to a disallowed origin, with a JSON error', async () => {
    const res = await fetch(`${server.url}/api/widget/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil-example.com' },
      body: JSON.stringify({ siteKey: server.site.publicKey }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toEqual({ error: { code: 'ORIGIN_NOT_ALLOWED', message: expect.any(String) } });
    const ok = await fetch(`${server.url}/api/widget/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: SITE_ORIGIN },
      body: JSON.stringify({ siteKey: server.site.publicKey }),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SITE_ORIGIN);
  });

  it("refuses a visitor token of one site on another site's page", async () => {
    const { token } = await visitorSession(server); // for the current site, whose origin is SITE_ORIGIN
    await server.parley.admin.createSite({ name: 'Other', origins: ['https://other.example'] });
    expect(await handshake('/visitor', token, 'https://other.example')).toBe('ORIGIN_NOT_ALLOWED');
  });

  it('accepts agent connections only from our own origin', async () => {
    const session = await login(server, ADMIN.email, ADMIN.password);
    expect(await handshake('/agent', session.accessToken, server.url)).toBe('connected');
    expect(await handshake('/agent', session.accessToken, SITE_ORIGIN)).toBe('ORIGIN_NOT_ALLOWED');
    expect(await handshake('/agent', session.accessToken, undefined)).toBe('ORIGIN_NOT_ALLOWED');
  });
});

describe('allowed origins', () => {
  const VECTORS = ['https://*', 'http://*.example.com', `${SITE_ORIGIN}; script-src *`, `${SITE_ORIGIN};x`, `${SITE_ORIGIN}/path`, 'https://-shop.example'];

  async function admin(method: string, path: string, body: unknown) {
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    const res = await fetch(`${server.url}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string }; allowedOrigins?: string[] } };
  }

  it('refuses a wildcard, a semicolon, a path or a bad host in the admin API, and changes nothing', async () => {
    for (const origin of VECTORS) {
      const created = await admin('POST', '/sites', { name: 'Bad', allowedOrigins: [origin] });
      expect(created.status, origin).toBe(400);
      expect(created.body.error, origin).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('no wildcard, path') });
      const patched = await admin('PATCH', `/sites/${server.site.id}`, { allowedOrigins: [SITE_ORIGIN, origin] });
      expect(patched.status, origin).toBe(400);
    }
    expect((await server.parley.store.sites.findById(server.site.id))?.allowedOrigins).toEqual([SITE_ORIGIN]);
  });

  it('ignores origins stored before they were checked, for CORS and the frame\'s frame-ancestors', async () => {
    const site = await server.parley.store.sites.create({ name: 'Old', allowedOrigins: [...VECTORS, SITE_ORIGIN], widgetSettings: DEFAULT_WIDGET_SETTINGS });
    const session = (origin: string) =>
      fetch(`${server.url}/api/widget/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ siteKey: site.publicKey }),
      });
    for (const origin of VECTORS.slice(0, 2)) expect((await session(origin)).status, origin).toBe(403);
    expect((await session(SITE_ORIGIN)).status).toBe(200);

    const frame = await fetch(`${server.url}/frame/?site=${site.publicKey}`);
    expect(frame.headers.get('content-security-policy')).toMatch(new RegExp(`; frame-ancestors 'self' ${SITE_ORIGIN}$`));
  });
});

describe('Host header', () => {
  it('keeps a hostile Host header out of the demo page\'s snippet', async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'x"><script>alert(1)</script>' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.body).not.toContain('<script>alert(1)');
    expect(answer.status).toBe(400);
  });
});

describe('tokens', () => {
  it('refuses forged, unsigned, expired and cross-audience tokens', async () => {
    const session = await login(server, ADMIN.email, ADMIN.password);
    const visitor = await visitorSession(server);
    const claims = jwt.decode(session.accessToken) as jwt.JwtPayload;
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const wrongKey = jwt.sign({ role: 'admin' }, 'x'.repeat(48), { algorithm: 'HS256', subject: claims.sub, audience: 'parley:agent', issuer: 'parley' });
    const agentOrigin = server.url;
    expect(await handshake('/agent', unsigned, agentOrigin)).toBe('UNAUTHORIZED');
    expect(await handshake('/agent', wrongKey, agentOrigin)).toBe('UNAUTHORIZED');
    expect(await handshake('/agent', visitor.token, agentOrigin)).toBe('UNAUTHORIZED'); // visitor token as agent
    expect(await handshake('/visitor', session.accessToken, SITE_ORIGIN)).toBe('UNAUTHORIZED'); // agent token as visitor
    expect(await handshake('/agent', 42, agentOrigin)).toBe('UNAUTHORIZED');
    expect(await handshake('/agent', undefined, agentOrigin)).toBe('UNAUTHORIZED');

    const shortLived = await startServer({ ACCESS_TOKEN_TTL_S: '30' });
    try {
      const fresh = await login(shortLived, ADMIN.email, ADMIN.password);
      const secretFile = (await import('node:fs')).readFileSync(`${shortLived.dataDir}/jwt-secret`, 'utf8').trim();
      const expired = jwt.sign({ role: 'admin', exp: Math.floor(Date.now() / 1000) - 10 }, secretFile, {
        algorithm: 'HS256', subject: (jwt.decode(fresh.accessToken) as jwt.JwtPayload).sub, audience: 'parley:agent', issuer: 'parley',
      });
      const socket = io(`${shortLived.url}/agent`, { transports: ['websocket'], auth: { token: expired }, extraHeaders: { origin: shortLived.url }, reconnection: false, forceNew: true });
      const error = await new Promise<{ code?: string; message?: string }>((resolve) => socket.on('connect_error', (e: Error & { data?: { code?: string; message?: string } }) => resolve(e.data ?? {})));
      expect(error).toEqual({ code: 'UNAUTHORIZED', message: 'Token expired' });
    } finally {
      await shortLived.close();
    }
  });

  it('rotates refresh tokens and ends the session when a used one is replayed', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN),
    });
    const cookie1 = res.headers.get('set-cookie')!.split(';')[0]!;
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/);
    expect(res.headers.get('set-cookie')).toMatch(/SameSite=Strict/);
    const refresh = (cookie: string) => fetch(`${server.url}/api/auth/refresh`, { method: 'POST', headers: { cookie } });
    const second = await refresh(cookie1);
    expect(second.status).toBe(200);
    const cookie2 = second.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie2).not.toBe(cookie1);
    const replay = await refresh(cookie1);
    expect(replay.status).toBe(401);
    // The replay revoked the whole family, including the token issued by the rotation.
    expect((await refresh(cookie2)).status).toBe(401);
  });

  it('answers wrong credentials and malformed bodies with JSON errors', async () => {
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const wrong = await post(JSON.stringify({ email: ADMIN.email, password: 'nope' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Wrong email or password' } });
    const unknown = await post(JSON.stringify({ email: 'nobody@example.com', password: 'nope' }));
    expect(unknown.status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify({ email: ADMIN.email }))).status).toBe(400);
    expect((await post(JSON.stringify({ email: ADMIN.email, password: 'x'.repeat(10_000) }))).status).toBe(413);
    const crossSite = await post(JSON.stringify(ADMIN), { origin: 'https://evil.com' });
    expect(crossSite.status).toBe(403);
    expect((await fetch(`${server.url}/api/nothing-here`)).status).toBe(404);
  });
});

describe('isolation', () => {
  it('never lets a visitor read, write or type into another visitor\'s conversation', async () => {
    const owner = await connectVisitor(server);
    const intruder = await connectVisitor(server);
    const sent = await ok<SendResult>(owner.socket, 'message:send', { clientId: clientId(), body: 'private' });
    const conversationId = sent.conversation.id;
    const leaked = record<MessageDTO>(intruder.socket, 'message:new');
    for (const [event, payload] of [
      ['history:get', { conversationId }],
      ['message:send', { conversationId, clientId: clientId(), body: 'let me in' }],
      ['typing', { conversationId, typing: true }],
    ] as const) {
      expect(await ask(intruder.socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    await ok(owner.socket, 'message:send', { conversationId, clientId: clientId(), body: 'still private' });
    await sleep(100);
    expect(leaked).toEqual([]);
    const page = await ok<HistoryPage>(owner.socket, 'history:get', { conversationId });
    expect(page.messages.map((m) => m.body)).toEqual(['private', 'still private']);
  });

  it('keeps notes from visitors and another site\'s conversations from its agents', async () => {
    const siteA = server.site;
    const judy = await connectAgent(server, await createAgent(server, 'judy'));
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    const visitorInbox = record<MessageDTO>(visitor.socket, 'message:new');
    const note = await ok<SendResult>(judy.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'VIP customer', note: true });
    expect(note.message.authorKind).toBe('note');
    await ok(judy.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'Hello!' });
    // The note was sent first: had it leaked, it would be in the inbox before the reply.
    await expect.poll(() => visitorInbox.map((m) => m.body)).toContain('Hello!');
    expect(visitorInbox.map((m) => m.body)).toEqual(['Hello!']);
    const visitorHistory = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId: sent.conversation.id, afterSeq: 0 });
    expect(visitorHistory.messages.some((m) => m.authorKind === 'note' || m.body === 'VIP customer')).toBe(false);
    const agentHistory = await ok<HistoryPage>(judy.socket, 'history:get', { conversationId: sent.conversation.id, afterSeq: 0 });
    expect(agentHistory.messages.some((m) => m.authorKind === 'note')).toBe(true);

    await useNewSite(server, 'Other shop');
    const mallory = await connectAgent(server, await createAgent(server, 'mallory'));
    const otherSiteInbox = recordAgentMessages(mallory.socket);
    for (const [event, payload] of [
      ['history:get', { conversationId: sent.conversation.id }],
      ['conversation:get', { conversationId: sent.conversation.id }],
      ['message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'x', note: true }],
    ] as const) {
      expect(await ask(mallory.socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    for (const [event, payload] of [
      ['conversation:claim', { conversationId: sent.conversation.id }],
      ['conversation:resolve', { conversationId: sent.conversation.id }],
      ['conversation:unassign', { conversationId: sent.conversation.id }],
      ['conversation:transfer', { conversationId: sent.conversation.id, agentId: mallory.agentId }],
    ] as const) {
      expect(await ask(mallory.socket, event, payload), event).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(await server.parley.store.conversations.findById(sent.conversation.id)).toMatchObject({ status: 'active', assignee: { id: judy.agentId } });
    await ok(visitor.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'more' });
    await sleep(100);
    expect(otherSiteInbox).toEqual([]);
    expect(siteA.id).not.toBe(server.site.id);
  });

  it('does not let an agent reply to a conversation they have not claimed', async () => {
    const kim = await connectAgent(server, await createAgent(server, 'kim'));
    await ok(kim.socket, 'agent:setStatus', { status: 'away' });
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    expect(await ask(kim.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'x' }))
      .toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('bad payloads', () => {
  it('answers every malformed command with BAD_REQUEST and keeps what was accepted', async () => {
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'kept' });
    const conversationId = sent.conversation.id;
    const bad: unknown[] = [
      undefined, null, 42, 'text', [], {},
      { clientId: clientId() },
      { clientId: clientId(), body: '' },
      { clientId: clientId(), body: '   ' },
      { clientId: clientId(), body: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) },
      { clientId: clientId(), body: 42 },
      { clientId: 'has spaces in it', body: 'x' },
      { clientId: clientId(), body: 'x', extra: true },
      { clientId: clientId(), body: 'x', conversationId: { $ne: null } },
      { clientId: clientId(), body: 'x', conversationId: "' OR 1=1 --" },
      JSON.parse('{"__proto__": {"admin": true}, "clientId": "a", "body": "x"}'),
      { constructor: { prototype: { polluted: true } }, clientId: 'b', body: 'x' },
    ];
    for (const payload of bad) {
      const ack = await ask(visitor.socket, 'message:send', payload);
      expect(ack, JSON.stringify(payload)?.slice(0, 80)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const payload of [{ conversationId, afterSeq: -1 }, { conversationId, limit: 10_000 }, { conversationId: 5 }, { conversationId, afterSeq: 1.5 }]) {
      expect(await ask(visitor.socket, 'history:get', payload)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    // Without an ack callback there is nobody to answer: dropped, and the connection stays usable.
    const untyped = visitor.socket as unknown as Socket;
    untyped.emit('message:send', { clientId: clientId(), body: 'no ack' });
    untyped.emit('unknown:event', { a: 1 });
    const page = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId });
    expect(page.messages.map((m) => m.body)).toEqual(['kept']);
  });

  it('drops a connection that sends a packet over the transport limit, and keeps serving others', async () => {
    const flooder = await connectVisitor(server);
    const bystander = await connectVisitor(server);
    const closed = next<string>(flooder.socket, 'disconnect');
    flooder.socket.emit('message:send', { clientId: clientId(), body: 'x'.repeat(MAX_PACKET_BYTES + 10) } as never, () => {});
    expect(await closed).toBeTruthy();
    const sent = await ok<SendResult>(bystander.socket, 'message:send', { clientId: clientId(), body: 'still here' });
    expect(sent.message.body).toBe('still here');
  });
});

describe('attachment file names', () => {
  async function uploadNamed(token: string, name: string, body: string | Uint8Array<ArrayBuffer>) {
    const uploaded = await fetch(`${server.url}/api/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(name) },
      body,
    });
    expect(uploaded.status, name).toBe(201);
    return (await uploaded.json()) as { url: string; fileName: string; contentType: string };
  }

  it('serves a hostile file name as a quoted ASCII filename beside an RFC 5987 filename*, with no header injected', async () => {
    const visitor = await connectVisitor(server);
    const names = [
      '"; filename="evil.exe',
      "a'b(c)*!.txt",
      '%0d%0aSet-Cookie: pwned=1',
      'x\r\nSet-Cookie: pwned=1\r\n\r\n<script>alert(1)</script>.txt',
      '..\\..\\boot.ini',
      '\u202Egnp.exe',
      'résumé 日本語.txt',
    ];
    for (const name of names) {
      const file = await uploadNamed(visitor.token, name, 'hello');
      expect(file.fileName, name).not.toMatch(/[\r\n\\/\u202e]/);

      const download = await fetch(`${server.url}${file.url}`);
      expect(download.status, name).toBe(200);
      const disposition = download.headers.get('content-disposition') ?? '';
      const { type, parameters } = parse(disposition, { extended: false });
      expect(type, name).toBe('attachment');
      // Every client finds a plain ASCII name; those that read filename* get the exact one.
      expect(parameters.filename, name).toMatch(/^[\x20-\x7e]+$/);
      const exact = parameters['filename*'] ? decodeExtended(parameters['filename*']) : parameters.filename;
      expect(exact, name).toBe(file.fileName);
      expect(download.headers.get('set-cookie'), name).toBeNull();
    }
  });

  it('gives every served file an extension that agrees with its type', async () => {
    const visitor = await connectVisitor(server);
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');
    const cases: [string, string | Uint8Array<ArrayBuffer>, string][] = [
      ['x.html', '<b>hi</b>', 'x.txt'],
      ['a.gif.html', new Uint8Array(gif), 'a.gif'],
      ['photo', new Uint8Array(gif), 'photo.gif'],
      ['notes.TXT', 'hello', 'notes.TXT'],
      ['report.svg', 'hello', 'report.txt'],
      ['.htaccess', 'hello', '.htaccess.txt'],
      ['scan.pdf.exe', '%PDF-1.4 hello', 'scan.pdf'],
    ];
    for (const [name, body, expected] of cases) {
      const file = await uploadNamed(visitor.token, name, body);
      expect(file.fileName, name).toBe(expected);
      const disposition = parse((await fetch(`${server.url}${file.url}`)).headers.get('content-disposition') ?? '', { extended: false });
      expect(disposition.parameters.filename, name).toBe(expected);
    }
  });
});
