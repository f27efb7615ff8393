/** The REST API v1 over real HTTP: API keys' scopes, sites and revocation; conversations, messages and actions. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationListPage } from '../../server/contract/api-v1.ts';
import type { ConversationDTO, ConversationSummaryDTO, HistoryPage, MessageDTO } from '../../server/contract/dto.ts';
import type { ConversationDetail, SendResult } from '../../server/contract/events.ts';
import { api, createKey, seenAnswers, type ApiAnswer } from '../support/api-v1.ts';
import { undocumented } from '../support/openapi-check.ts';
import { ADMIN, backends, clientId, connectAgent, connectVisitor, login, next, nextAgentMessage, ok, startServer, useNewSite, useSharedServer, type TestServer } from '../support/parley.ts';

describe.each(backends)('REST API v1 on %s', (backend) => {
  let server: TestServer;
  let rw: string;

  useSharedServer((started) => (server = started), backend);
  beforeEach(async () => {
    rw = (await createKey(server, { name: 'rw', scopes: ['conversations:read', 'conversations:write'], siteId: server.site.id })).key;
  });

  async function visitorConversation(body = 'Hello from the widget') {
    const visitor = await connectVisitor(server);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body });
    return { visitor, conversation: sent.conversation };
  }

  it('posts as the key’s agent: the visitor and the console see the message with its seq; a retry is the same message', async () => {
    const { visitor, conversation } = await visitorConversation();
    const console = await connectAgent(server, ADMIN);
    const claimed = await api<ConversationDTO>(server, rw, 'POST', `/conversations/${conversation.id}/claim`);
    expect(claimed.status).toBe(200);
    expect(claimed.body.status).toBe('active');

    const visitorSees = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.authorKind === 'agent');
    const consoleSees = nextAgentMessage(console.socket, (m) => m.authorKind === 'agent');
    const id = clientId();
    const posted = await api<SendResult>(server, rw, 'POST', `/conversations/${conversation.id}/messages`, { clientId: id, body: 'Answer from the CRM' });
    expect(posted.status).toBe(200);
    expect(posted.body.message).toMatchObject({ body: 'Answer from the CRM', authorKind: 'agent', seq: expect.any(Number) as number });
    expect((await visitorSees).seq).toBe(posted.body.message.seq);
    expect((await consoleSees).seq).toBe(posted.body.message.seq);

    const retried = await api<SendResult>(server, rw, 'POST', `/conversations/${conversation.id}/messages`, { clientId: id, body: 'Answer from the CRM' });
    expect(retried.body.message.id).toBe(posted.body.message.id);
    const history = await api<HistoryPage>(server, rw, 'GET', `/conversations/${conversation.id}/messages?afterSeq=0`);
    expect(history.body.messages.filter((m) => m.body === 'Answer from the CRM')).toHaveLength(1);

    const detail = await api<ConversationDetail>(server, rw, 'GET', `/conversations/${conversation.id}`);
    expect(detail.body.conversation.id).toBe(conversation.id);
    expect((await api<ConversationSummaryDTO>(server, rw, 'PUT', `/conversations/${conversation.id}/labels`, { labels: ['VIP'] })).body.labels).toEqual(['vip']);
    expect((await api(server, rw, 'POST', `/conversations/${conversation.id}/notes`, { clientId: clientId(), body: 'internal' })).status).toBe(200);
    expect((await api<ConversationDTO>(server, rw, 'POST', `/conversations/${conversation.id}/resolve`)).body.status).toBe('resolved');
    expect((await api<ConversationDTO>(server, rw, 'POST', `/conversations/${conversation.id}/reopen`)).body.status).not.toBe('resolved');
  });

  it('lists with filters and a signed cursor; a tampered cursor is a typed 400', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) made.push((await visitorConversation(`visitor ${i}`)).conversation.id);
    const first = await api<ConversationListPage>(server, rw, 'GET', '/conversations?limit=2&status=queued');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api<ConversationListPage>(server, rw, 'GET', `/conversations?limit=2&status=queued&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((c) => c.id).sort()).toEqual(made.sort());
    expect(second.body.nextCursor).toBeNull();

    const [payload, signature] = first.body.nextCursor!.split('.');
    const forged = Buffer.from(JSON.stringify([0, ''])).toString('base64url');
    for (const cursor of [`${forged}.${signature}`, `${payload}.${signature!.slice(1)}x`, 'garbage']) {
      const res = await api(server, rw, 'GET', `/conversations?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('cursor') as string } });
    }
    const since = await api<ConversationListPage>(server, rw, 'GET', `/conversations?updatedSince=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(since.body.items).toEqual([]);
    expect((await api(server, rw, 'GET', '/conversations?colour=red')).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });

  it('keeps a key within its scopes and its site, and refuses bad, revoked and expired keys', async () => {
    const { conversation } = await visitorConversation();
    const readOnly = (await createKey(server, { name: 'ro', scopes: ['conversations:read'], siteId: server.site.id })).key;
    const denied = await api(server, readOnly, 'POST', `/conversations/${conversation.id}/messages`, { clientId: clientId(), body: 'no' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await api(server, readOnly, 'POST', `/conversations/${conversation.id}/claim`)).status).toBe(403);
    const unchanged = await api<HistoryPage>(server, readOnly, 'GET', `/conversations/${conversation.id}/messages?afterSeq=0`);
    expect(unchanged.body.messages.map((m) => m.body)).not.toContain('no');

    const elsewhere = (await useNewSite(server, 'Other')).id;
    const otherKey = (await createKey(server, { name: 'other', scopes: ['conversations:read', 'conversations:write'], siteId: elsewhere })).key;
    for (const [method, path] of [['GET', ''], ['GET', '/messages'], ['POST', '/claim'], ['POST', '/resolve']] as const) {
      const res = await api(server, otherKey, method, `/conversations/${conversation.id}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    expect((await api<ConversationListPage>(server, otherKey, 'GET', '/conversations')).body.items).toEqual([]);
    expect((await api(server, rw, 'GET', `/conversations?siteId=${elsewhere}`)).status).toBe(404);

    for (const key of [null, 'nope', `pk_${'A'.repeat(43)}`]) {
      const res = await api(server, key, 'GET', '/conversations');
      expect(res.status, String(key)).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    const doomed = await createKey(server, { name: 'doomed', scopes: ['conversations:read'] });
    expect((await api(server, doomed.key, 'GET', '/conversations')).status).toBe(200);
    await fetch(`${server.url}/api/admin/api-keys/${doomed.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}` } });
    expect((await api(server, doomed.key, 'GET', '/conversations')).body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('revoked') as string } });

    const expiredKey = `pk_${'e'.repeat(43)}`;
    await server.parley.store.apiKeys.create({
      name: 'expired', scopes: ['conversations:read'], siteId: null, agentId: doomed.apiKey.agentId, expiresAt: new Date(Date.now() - 1000),
      keyHash: createHash('sha256').update(expiredKey).digest('hex'),
    });
    expect((await api(server, expiredKey, 'GET', '/conversations')).body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('expired') as string } });
  });

  it('refuses oversized, deeply nested and unknown-field bodies with typed errors and stays up', async () => {
    const { conversation } = await visitorConversation();
    const path = `/conversations/${conversation.id}/messages`;
    const big = await api(server, rw, 'POST', path, { clientId: clientId(), body: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const deep = await api(server, rw, 'POST', path, undefined, `{"clientId":"a","body":"b","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.stringContaining('nested') as string } });
    const extra = await api(server, rw, 'POST', path, { clientId: clientId(), body: 'hi', authorKind: 'visitor' });
    expect(extra.body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await api(server, rw, 'POST', path, undefined, '{"clientId":')).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const history = await api<HistoryPage>(server, rw, 'GET', `${path}?afterSeq=0`);
    expect(history.status).toBe(200);
    expect(history.body.messages).toHaveLength(1);
  });
});

describe('REST API v1 rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ RATE_LIMIT_SCALE: '1' });
  });
  afterAll(() => server.close());

  it('gives each key its own bucket: one key over its limit gets RATE_LIMITED with when to retry, another goes on', async () => {
    const busy = (await createKey(server, { name: 'busy', scopes: ['conversations:read'] })).key;
    const calm = (await createKey(server, { name: 'calm', scopes: ['conversations:read'] })).key;
    let limited: ApiAnswer<{ error: { code: string; retryAfterMs?: number } }> | undefined;
    for (let i = 0; i < 200 && !limited; i++) {
      const res = await api<{ error: { code: string; retryAfterMs?: number } }>(server, busy, 'GET', '/conversations?limit=1');
      if (res.status !== 200) limited = res;
    }
    expect(limited?.status).toBe(429);
    expect(limited?.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) as number });
    expect((await api(server, calm, 'GET', '/conversations?limit=1')).status).toBe(200);
  });
});

describe('REST API v1 OpenAPI document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('describes every answer the tests above saw, checked with a JSON Schema 2020-12 validator', async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const document = (await res.json()) as Parameters<typeof undocumented>[0] & { openapi: string };
    expect(document.openapi).toBe('3.1.0');
    const statuses = new Set(seenAnswers.map((a) => a.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 401, 403, 404, 413, 429]));
    expect(undocumented(document, seenAnswers)).toEqual([]);
  });

  it('serves the docs page offline under a CSP that runs only its own script files', async () => {
    const page = await fetch(`${server.url}/api/v1/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      expect((await fetch(new URL(src, `${server.url}/api/v1/docs`))).status, src).toBe(200);
    }
  });
});
