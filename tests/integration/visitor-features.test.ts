import { describe, expect, it } from 'vitest';
import type { ConversationDTO, HistoryPage, VisitorChange, VisitorDTO } from '../../server/contract/dto.ts';
import type { IdentifyResult, ReadEvent, SendResult, TypingEvent } from '../../server/contract/events.ts';
import type { WidgetConfig } from '../../server/contract/http.ts';
import { identityHash } from '../../server/app/visitors.ts';
import { ask, clientId, connectAgent, connectVisitor, createAgent, next, ok, record, SITE_ORIGIN, useSharedServer, type TestServer } from '../support/parley.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';

let server: TestServer;
useSharedServer((started) => (server = started));

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

async function upload(token: string, body: Buffer, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'x-file-name': 'pic.png', ...headers },
    body: new Uint8Array(body),
  });
}

describe('visitor profile and context', () => {
  it('stores name, email, attributes and the current page, records page views, and tells agents live', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'nina'));
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    const seen = next<VisitorChange>(agent.socket, 'visitor:updated', (v) => v.pageUrl === 'https://shop.example.com/pricing');
    await ok(visitor.socket, 'visitor:update', {
      name: 'Ada', email: 'ada@example.com', attributes: { plan: 'pro', seats: 3 },
      context: { pageUrl: 'https://shop.example.com/', pageTitle: 'Home', locale: 'en-GB', timezone: 'Europe/London', userAgent: 'Mozilla/5.0' },
    });
    const updated = await ok<VisitorDTO>(visitor.socket, 'visitor:update', {
      attributes: { seats: null, trial: true }, context: { pageUrl: 'https://shop.example.com/pricing', pageTitle: 'Pricing' },
    });
    expect(updated).toMatchObject({ name: 'Ada', email: 'ada@example.com', attributes: { plan: 'pro', trial: true }, timezone: 'Europe/London', pageTitle: 'Pricing' });
    expect(updated.attributes).not.toHaveProperty('seats');
    // Agents are told only what changed: the attributes touched (null: removed) and the page, not the name.
    const change = await seen;
    expect(change).toMatchObject({ id: updated.id, attributes: { seats: null, trial: true }, pageTitle: 'Pricing' });
    expect(change).not.toHaveProperty('name');
    const detail = await ok<{ pages: { url: string }[]; visitor: VisitorDTO }>(agent.socket, 'conversation:get', { conversationId: sent.conversation.id });
    expect(detail.pages.map((p) => p.url)).toEqual(['https://shop.example.com/pricing', 'https://shop.example.com/']);
    expect(detail.visitor.locale).toBe('en-GB');
  });

  it('refuses bad profile data', async () => {
    const visitor = await connectVisitor(server);
    for (const bad of [
      { email: 'not-an-email' },
      { attributes: { 'bad key!': 1 } },
      { attributes: { nested: { a: 1 } } },
      { context: { pageUrl: 'javascript:alert(1)' } },
      { context: { unknown: 1 } },
      { name: 'x'.repeat(101) },
    ]) {
      expect(await ask(visitor.socket, 'visitor:update', bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });
});

describe('identity verification', () => {
  it('verifies the HMAC, keeps the anonymous conversation, and resumes the same user on another device', async () => {
    const first = await connectVisitor(server);
    const sent = await ok<SendResult>(first.socket, 'message:send', { clientId: clientId(), body: 'before login' });
    const hash = identityHash('user-42', server.site.identitySecret);
    const identified = await ok<IdentifyResult>(first.socket, 'visitor:identify', { userId: 'user-42', name: 'Grace', hash });
    expect(identified.visitor).toMatchObject({ verified: true, externalId: 'user-42', name: 'Grace' });

    // Another device: a fresh anonymous visitor identifies as the same user and gets that user's history.
    const second = await connectVisitor(server);
    const resumed = await ok<IdentifyResult>(second.socket, 'visitor:identify', { userId: 'user-42', hash });
    expect(resumed.visitor.id).toBe(identified.visitor.id);
    const list = await ok<ConversationDTO[]>(second.socket, 'conversation:list', {});
    expect(list.map((c) => c.id)).toContain(sent.conversation.id);
    // The same connection now acts as that user: it can read and write the conversation.
    await ok(second.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'from my phone' });
    const reconnected = await connectVisitor(server, { token: resumed.token });
    const page = await ok<HistoryPage>(reconnected.socket, 'history:get', { conversationId: sent.conversation.id });
    expect(page.messages.map((m) => m.body)).toEqual(['before login', 'from my phone']);
  });

  it('refuses a wrong hash, and an unverified identify where the site requires verification', async () => {
    const visitor = await connectVisitor(server);
    const wrong = await ask(visitor.socket, 'visitor:identify', { userId: 'user-1', hash: identityHash('user-2', server.site.identitySecret) });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const unverified = await ok<IdentifyResult>(visitor.socket, 'visitor:identify', { userId: 'user-1', name: 'Unverified' });
    expect(unverified.visitor).toMatchObject({ verified: false, externalId: null, name: 'Unverified' });

    await server.parley.store.sites.update(server.site.id, { identityRequired: true });
    const required = await ask(visitor.socket, 'visitor:identify', { userId: 'user-1' });
    expect(required).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('read receipts, rating, new conversations', () => {
  it('carries read marks both ways and lets the visitor rate only after resolution', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'omar'));
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hello' });
    const conversationId = sent.conversation.id;
    const agentSaw = next<ReadEvent>(visitor.socket, 'conversation:read');
    await ok(agent.socket, 'conversation:read', { conversationId, seq: 1 });
    expect(await agentSaw).toEqual({ conversationId, seq: 1, by: 'agent' });
    const reply = await ok<SendResult>(agent.socket, 'message:send', { conversationId, clientId: clientId(), body: 'hi' });
    const visitorSaw = next<ReadEvent>(agent.socket, 'conversation:read', (e) => e.by === 'visitor');
    await ok(visitor.socket, 'conversation:read', { conversationId, seq: reply.message.seq });
    expect((await visitorSaw).seq).toBe(reply.message.seq);
    // Marks never go backwards and never past the last message.
    await ok(visitor.socket, 'conversation:read', { conversationId, seq: 1 });
    await ok(visitor.socket, 'conversation:read', { conversationId, seq: 999 });
    expect(await server.parley.store.conversations.findById(conversationId)).toMatchObject({ visitorReadSeq: reply.message.seq, agentReadSeq: 1 });

    expect(await ask(visitor.socket, 'conversation:rate', { conversationId, rating: 5 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await ok(agent.socket, 'conversation:resolve', { conversationId });
    expect(await ask(visitor.socket, 'conversation:rate', { conversationId, rating: 6 })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const rated = await ok<ConversationDTO>(visitor.socket, 'conversation:rate', { conversationId, rating: 4, comment: ' quick! ' });
    expect(rated).toMatchObject({ rating: 4, ratingComment: 'quick!' });

    // Reopen brings it back to the agent, without the old rating.
    const reopened = await ok<ConversationDTO>(agent.socket, 'conversation:reopen', { conversationId });
    expect(reopened).toMatchObject({ status: 'active', assignee: { id: agent.agentId }, rating: null });
    expect(await ask(agent.socket, 'conversation:reopen', { conversationId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('starts a second conversation when asked, even with one open', async () => {
    const visitor = await connectVisitor(server);
    const a = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'first topic' });
    const b = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'second topic', newConversation: true });
    const c = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'continues the newest' });
    expect(b.conversation.id).not.toBe(a.conversation.id);
    expect(c.conversation.id).toBe(b.conversation.id);
  });
});

describe('typing preview', () => {
  it('forwards the visitor draft to agents only when the site enables it', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'pia'));
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    const conversationId = sent.conversation.id;
    const off = next<TypingEvent>(agent.socket, 'typing');
    await ok(visitor.socket, 'typing', { conversationId, typing: true, preview: 'my card num' });
    expect(await off).toEqual({ conversationId, typing: true });

    const settings = server.site.widgetSettings;
    await server.parley.store.sites.update(server.site.id, { widgetSettings: { ...settings, typingPreview: true } });
    const on = next<TypingEvent>(agent.socket, 'typing');
    await ok(visitor.socket, 'typing', { conversationId, typing: true, preview: 'my order is late' });
    expect(await on).toEqual({ conversationId, typing: true, preview: 'my order is late' });
    const visitorSees = next<TypingEvent>(visitor.socket, 'typing');
    await ok(agent.socket, 'typing', { conversationId, typing: true });
    expect(await visitorSees).toEqual({ conversationId, typing: true, name: 'pia' });
  });
});

describe('attachments', () => {
  it('uploads by content type, links to the message, and serves only through a valid signed link', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'quinn'));
    const visitor = await connectVisitor(server);
    const res = await upload(visitor.token, PNG, { 'x-file-name': encodeURIComponent('../../etc/pic\u202e.png') });
    expect(res.status).toBe(201);
    const file = (await res.json()) as { id: string; url: string; contentType: string; fileName: string; image: boolean };
    expect(file).toMatchObject({ contentType: 'image/png', fileName: 'pic.png', image: true });

    const agentSees = nextAgentHeard(agent.socket, (m) => m.authorKind === 'visitor');
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: '', attachmentIds: [file.id] });
    expect((await agentSees).attachments.map((a) => a.id)).toEqual([file.id]);
    expect(sent.message.attachments[0]).toMatchObject({ id: file.id, image: true });

    const download = await fetch(`${server.url}${sent.message.attachments[0]!.url}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);
    const tampered = file.url.replace(/sig=(.)/, (_m, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`);
    expect((await fetch(`${server.url}${tampered}`)).status).toBe(403);
    const expired = file.url.replace(/exp=\d+/, 'exp=1000');
    expect((await fetch(`${server.url}${expired}`)).status).toBe(403);

    // Already sent, or someone else's upload: refused, and nothing half-sent.
    const again = await ask(visitor.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'x', attachmentIds: [file.id] });
    expect(again).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const other = await connectVisitor(server);
    const foreign = await ask(other.socket, 'message:send', { clientId: clientId(), body: 'steal', attachmentIds: [file.id] });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ok<ConversationDTO[]>(other.socket, 'conversation:list', {})).toEqual([]);
  });

  it('refuses files by their bytes, not their names, and requires a token', async () => {
    const visitor = await connectVisitor(server);
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    expect((await upload(visitor.token, Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]))).status).toBe(400); // an .exe, named pic.png
    const asText = await upload(visitor.token, html, { 'x-file-name': 'page.html' });
    expect(((await asText.json()) as { contentType: string }).contentType).toBe('text/plain');
    expect((await upload(visitor.token, Buffer.alloc(0))).status).toBe(400);
    expect((await upload('not-a-token', PNG)).status).toBe(401);
    const tooBig = await upload(visitor.token, Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]));
    expect(tooBig.status).toBe(413);
  });
});

describe('widget config', () => {
  it('says whether the site is inside business hours and what files it accepts', async () => {
    const get = async () => (await (await fetch(`${server.url}/api/widget/config?site=${server.site.publicKey}`, { headers: { origin: SITE_ORIGIN } })).json()) as WidgetConfig;
    expect(await get()).toMatchObject({ open: true, attachments: { maxBytes: 10 * 1024 * 1024 } });
    const settings = server.site.widgetSettings;
    await server.parley.store.sites.update(server.site.id, {
      widgetSettings: { ...settings, businessHours: { enabled: true, timezone: 'UTC', days: {} } },
    });
    expect((await get()).open).toBe(false);
  });
});

describe('agent tools', () => {
  it('searches by message text, visitor name and email, and sets labels', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'rui'));
    const visitor = await connectVisitor(server);
    await ok(visitor.socket, 'visitor:update', { name: 'Zelda Search', email: 'zelda@example.com' });
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'My Invoice 77 is wrong' });
    for (const query of ['invoice 77', 'ZELDA', 'zelda@example']) {
      const found = await ok<{ id: string }[]>(agent.socket, 'conversation:search', { query });
      expect(found.map((c) => c.id), query).toContain(sent.conversation.id);
    }
    expect(await ok<unknown[]>(agent.socket, 'conversation:search', { query: 'nothing-like-this' })).toEqual([]);
    const labelled = await ok<{ labels: string[] }>(agent.socket, 'conversation:setLabels', { conversationId: sent.conversation.id, labels: ['Billing', 'billing', 'vip'] });
    expect(labelled.labels).toEqual(['billing', 'vip']);
    expect(await ask(agent.socket, 'conversation:setLabels', { conversationId: sent.conversation.id, labels: ['<script>'] })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('does not deliver typing or read events of one visitor to another', async () => {
    const agent = await connectAgent(server, await createAgent(server, 'sam'));
    const a = await connectVisitor(server);
    const b = await connectVisitor(server);
    const sent = await ok<SendResult>(a.socket, 'message:send', { clientId: clientId(), body: 'mine' });
    const typing = record<unknown>(b.socket, 'typing');
    const reads = record<unknown>(b.socket, 'conversation:read');
    const mine = record<unknown>(a.socket, 'typing');
    const myReads = record<unknown>(a.socket, 'conversation:read');
    await ok(agent.socket, 'typing', { conversationId: sent.conversation.id, typing: true });
    await ok(agent.socket, 'conversation:read', { conversationId: sent.conversation.id, seq: 1 });
    // The owner got both, so a leak, sent with them, would have reached the other visitor too.
    await expect.poll(() => [mine.length, myReads.length]).toEqual([1, 1]);
    expect([...typing, ...reads]).toEqual([]);
  });
});
