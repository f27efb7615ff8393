/**
 * What a visitor may store about themselves, and what agents and visitors are told of it: the stored caps on
 * attributes (held by concurrent writes too), the profile rate limit, page views kept, verified fields,
 * free text the database and JSON can hold, and the visitor's view of a conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO, ConversationSummaryDTO, HistoryPage, VisitorChange, VisitorDTO } from '../../server/contract/dto.ts';
import { MAX_PAGE_VIEWS_KEPT, MAX_VISITOR_ATTRIBUTE_BYTES, MAX_VISITOR_ATTRIBUTES, type IdentifyResult, type SendResult } from '../../server/contract/events.ts';
import { identityHash, profileHash } from '../../server/app/visitors.ts';
import {
  ADMIN, ask, backends, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, login, next, ok, record, sleep, startServer,
  useSharedServer, type AgentSocket, type TestServer,
} from '../support/parley.ts';

/** Bytes of every frame an agent socket receives from now on. */
function countReceivedBytes(socket: AgentSocket): { bytes: number } {
  const counter = { bytes: 0 };
  socket.io.engine.on('packet', (packet: { data?: unknown }) => {
    if (typeof packet.data === 'string') counter.bytes += Buffer.byteLength(packet.data);
  });
  return counter;
}

const storedBytes = (visitor: VisitorDTO) => Buffer.byteLength(JSON.stringify(visitor.attributes));
const attributes = (prefix: string, count: number, length: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}_${i}`, 'x'.repeat(length)]));

describe.each(backends)('visitor profile on %s', (backend) => {
  let server: TestServer;
  useSharedServer((started) => (server = started), backend);

  it('keeps a flooding visitor within the stored caps, tells agents only what changed, and /healthz answers throughout', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'flora'));
    const visitor = await connectVisitor(server);
    await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    await sleep(100); // the new conversation's own events are not the flood's
    const received = countReceivedBytes(agent.socket);

    // The probe's shape (50 keys of 1,000 characters) is over the byte cap on its own; 5 new keys of 1,000
    // characters a call reach it after six calls, then one new short key a call reaches the key cap.
    const calls = [
      ...Array.from({ length: 60 }, () => attributes('big', 50, 1000)),
      ...Array.from({ length: 60 }, (_, call) => attributes(`mid${call}`, 5, 1000)),
      ...Array.from({ length: 60 }, (_, call) => ({ [`small_${call}`]: call })),
    ];
    let flooding = true;
    const health: number[] = [];
    const polling = (async () => {
      while (flooding) health.push((await fetch(`${server.url}/healthz`)).status);
    })();
    const answers = [];
    for (const a of calls) answers.push(await ask<VisitorDTO>(visitor.socket, 'visitor:update', { attributes: a }));
    flooding = false;
    await polling;

    const accepted = answers.filter((a) => a.ok).length;
    const refused = answers.filter((a) => !a.ok);
    expect(refused.every((a) => !a.ok && a.error.code === 'LIMIT_EXCEEDED'), JSON.stringify(refused[0])).toBe(true);
    const stored = (await server.parley.store.visitors.findById(visitor.visitorId!))!;
    const figures = `accepted ${accepted} of ${calls.length}, stored ${Object.keys(stored.attributes).length} keys / ${storedBytes(stored)} B, agent received ${received.bytes} B`;
    expect(Object.keys(stored.attributes).length, figures).toBeLessThanOrEqual(MAX_VISITOR_ATTRIBUTES);
    expect(storedBytes(stored), figures).toBeLessThanOrEqual(MAX_VISITOR_ATTRIBUTE_BYTES);
    // Nothing accepted was lost: every accepted key is still there.
    expect(Object.keys(stored.attributes).filter((k) => k.startsWith('mid')).length, figures).toBeGreaterThan(0);
    // Each accepted change went out once, not the whole growing visitor with every update.
    await sleep(100);
    expect(received.bytes, figures).toBeLessThan(2 * MAX_VISITOR_ATTRIBUTE_BYTES);
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((status) => status === 200)).toBe(true);
    console.info(`[${backend}] ${figures}, /healthz answered ${health.length} times during the flood`);
  });

  it('holds the caps when updates race: two writes that each fit but together do not are not both stored', async () => {
    const visitor = await connectVisitor(server);
    const half = Math.ceil(MAX_VISITOR_ATTRIBUTE_BYTES / 2 / 1000) + 1;
    const racing = await Promise.all(
      ['a', 'b', 'c', 'd'].map((prefix) => ask<VisitorDTO>(visitor.socket, 'visitor:update', { attributes: attributes(prefix, half, 990) })),
    );
    expect(racing.filter((a) => a.ok)).toHaveLength(1);
    const stored = (await server.parley.store.visitors.findById(visitor.visitorId!))!;
    expect(storedBytes(stored)).toBeLessThanOrEqual(MAX_VISITOR_ATTRIBUTE_BYTES);
    expect(Object.keys(stored.attributes)).toHaveLength(half);
  });

  it(`keeps the newest ${MAX_PAGE_VIEWS_KEPT} page views of a visitor`, async () => {
    const visitor = await connectVisitor(server);
    for (let page = 1; page <= MAX_PAGE_VIEWS_KEPT + 10; page++) {
      await ok(visitor.socket, 'visitor:update', { context: { pageUrl: `https://shop.example.com/p/${page}` } });
    }
    const views = await server.parley.store.visitors.pageViews(visitor.visitorId!, 1000);
    expect(views).toHaveLength(MAX_PAGE_VIEWS_KEPT);
    expect(views[0]!.url).toBe(`https://shop.example.com/p/${MAX_PAGE_VIEWS_KEPT + 10}`);
    expect(views.at(-1)!.url).toBe('https://shop.example.com/p/11');
  });

  it('shows as verified only what the site signed: the id with hash, name and email with profileHash', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'vera'));
    const visitor = await connectVisitor(server);
    const { conversation } = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    const secret = server.site.identitySecret;
    const hash = identityHash('user-7', secret);
    const typed = await ok<IdentifyResult>(visitor.socket, 'visitor:identify', { userId: 'user-7', name: 'Ada', email: 'ada@example.com', hash });
    expect(typed.visitor).toMatchObject({ verified: true, name: 'Ada', nameVerified: false, emailVerified: false });

    // Once verified, a typed name or email is refused, by update or by identify, and nothing is changed.
    expect(await ask(visitor.socket, 'visitor:update', { name: 'The CEO', attributes: { plan: 'free' } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(visitor.socket, 'visitor:identify', { userId: 'user-7', email: 'ceo@example.com', hash })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Line breaks would make the signed string ambiguous: names and user ids are one line.
    expect(await ask(visitor.socket, 'visitor:identify', { userId: 'user-7\nAda', hash })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(visitor.socket, 'visitor:update', { name: 'Ada\nLovelace' })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const wrong = profileHash({ userId: 'user-7', name: 'The CEO' }, secret);
    expect(await ask(visitor.socket, 'visitor:identify', { userId: 'user-7', name: 'Ada Lovelace', hash, profileHash: wrong })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await server.parley.store.visitors.findById(typed.visitor.id)).toMatchObject({ name: 'Ada', email: 'ada@example.com', attributes: {} });

    const told = next<VisitorChange>(agent.socket, 'visitor:updated', (c) => c.nameVerified === true);
    const signed = { userId: 'user-7', name: 'Ada Lovelace', email: 'ada@example.com' };
    const identified = await ok<IdentifyResult>(visitor.socket, 'visitor:identify', { ...signed, hash, profileHash: profileHash(signed, secret) });
    expect(identified.visitor).toMatchObject({ name: 'Ada Lovelace', nameVerified: true, emailVerified: true });
    expect(await told).toMatchObject({ id: typed.visitor.id, name: 'Ada Lovelace', nameVerified: true, emailVerified: true });
    const [listed] = (await ok<ConversationSummaryDTO[]>(agent.socket, 'conversation:list', { view: 'all' })).filter((c) => c.id === conversation.id);
    expect(listed!.visitor).toMatchObject({ verified: true, nameVerified: true, emailVerified: true });
  });

  it('on a site that requires verification, a typed name or email fills an empty field, unverified, and replaces nothing', async () => {
    await server.parley.store.sites.update(server.site.id, { identityRequired: true });
    const visitor = await connectVisitor(server);
    // The pre-chat and offline forms still work: what the visitor types is kept, and shown unverified.
    await ok(visitor.socket, 'visitor:update', { name: 'Mallory', email: 'mallory@example.com' });
    expect(await ask(visitor.socket, 'visitor:update', { name: 'Ada' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ask(visitor.socket, 'visitor:update', { email: 'ada@example.com', attributes: { plan: 'free' } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await ok(visitor.socket, 'visitor:update', { attributes: { plan: 'pro' } });
    expect(await server.parley.store.visitors.findById(visitor.visitorId!)).toMatchObject({
      name: 'Mallory', email: 'mallory@example.com', nameVerified: false, emailVerified: false, attributes: { plan: 'pro' },
    });
  });

  it("sends the visitor a conversation's own fields only: no labels, no agents' summary", async () => {
    const agent = await connectAgent(server, await createAgent(server, 'lena'));
    const visitor = await connectVisitor(server);
    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const { conversation } = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    await assigned;
    const updates = record<ConversationDTO>(visitor.socket, 'conversation:updated');
    await ok(agent.socket, 'conversation:setLabels', { conversationId: conversation.id, labels: ['angry-customer', 'refund-fraud'] });
    const resolved = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'resolved');
    await ok(agent.socket, 'conversation:resolve', { conversationId: conversation.id });
    await resolved;
    expect(updates.length).toBeGreaterThan(0);
    for (const update of updates) expect(Object.keys(update).sort()).toEqual(Object.keys(conversation).sort());
    expect(JSON.stringify(updates)).not.toContain('refund-fraud');
  });

  it('refuses NUL characters and unpaired surrogates in free text with BAD_REQUEST, and keeps serving', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'nul'));
    const visitor = await connectVisitor(server);
    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const { conversation } = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    await assigned;
    for (const bad of ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low']) {
      const refusals = await Promise.all([
        ask(visitor.socket, 'message:send', { clientId: clientId(), body: bad }),
        ask(visitor.socket, 'visitor:update', { name: bad }),
        ask(visitor.socket, 'visitor:update', { attributes: { note: bad } }),
        ask(visitor.socket, 'visitor:update', { context: { pageTitle: bad, timezone: bad } }),
        ask(visitor.socket, 'visitor:identify', { userId: bad }),
        ask(visitor.socket, 'typing', { conversationId: conversation.id, typing: true, preview: bad }),
        ask(agent.socket, 'message:send', { conversationId: conversation.id, clientId: clientId(), body: bad }),
        ask(agent.socket, 'message:send', { conversationId: conversation.id, clientId: clientId(), body: bad, note: true }),
        ask(agent.socket, 'conversation:search', { query: bad }),
      ]);
      for (const refusal of refusals) expect(refusal, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
      const token = (await login(server, ADMIN.email, ADMIN.password)).accessToken;
      const site = await fetch(`${server.url}/api/admin/sites/${server.site.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: bad, widgetSettings: { greeting: bad } }),
      });
      expect(site.status).toBe(400);
      expect(await site.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
      const signIn = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${bad}@example.com`, password: 'whatever-1' }),
      });
      expect(signIn.status, JSON.stringify(bad)).toBe(400);
    }
    const page = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId: conversation.id });
    expect(page.messages.filter((m) => m.authorKind !== 'system').map((m) => m.body)).toEqual(['hi']);
  });
});

describe('profile rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1' });
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  it('answers visitor:update and identify beyond their own burst with RATE_LIMITED, well inside the command limit', async () => {
    const visitor = await connectVisitor(server);
    const answers = [];
    for (let i = 0; i < 21; i++) answers.push(await ask(visitor.socket, 'visitor:update', { attributes: { step: i } }));
    expect(answers.slice(0, 20).every((a) => a.ok)).toBe(true);
    expect(answers[20]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', message: expect.stringMatching(/profile/) } });
    expect(await ask(visitor.socket, 'visitor:identify', { userId: 'u-1' })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // Other commands still go through.
    await ok(visitor.socket, 'conversation:list', {});
  });
});
