/** The admin REST API over real HTTP: who may call it, validation, sites, agents, invites, canned responses, reports. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { AgentAdminDTO, InviteResult, Report, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { CannedResponseDTO, ConversationDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { AgentSession } from '../../server/contract/http.ts';
import {
  ADMIN, backends, clientId, connectAgent, connectVisitor, createAgent, login, next, ok, sleep, useSharedServer, type
  TestServer,
} from '../support/parley.ts';

describe.each(backends)('admin API on %s', (backend) => {
  let server: TestServer;
  let adminToken: string;

  useSharedServer((started) => (server = started), backend);
  beforeEach(async () => {
    adminToken = (await login(server, ADMIN.email, ADMIN.password)).accessToken;
  });

  async function call<T = unknown>(method: string, path: string, body?: unknown, token: string | null = adminToken) {
    const res = await fetch(`${server.url}/api/admin${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : null,
    });
    const text = await res.text();
    const json = text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as unknown) : text;
    return { status: res.status, body: json as T, headers: res.headers };
  }

  const acceptInvite = (token: string, password: string) =>
    fetch(`${server.url}/api/auth/invite/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password }),
    });

  describe('access', () => {
    it('wants a valid bearer token of an active admin', async () => {
      expect((await call('GET', '/sites', undefined, null)).status).toBe(401);
      expect((await call('GET', '/sites', undefined, 'not-a-token')).body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      const bob = await createAgent(server, `bob${Date.now()}`);
      const agentToken = (await login(server, bob.email, bob.password)).accessToken;
      for (const [method, path] of [['GET', '/sites'], ['GET', '/agents'], ['GET', '/canned'], ['POST', '/sites'], ['GET', '/reports?from=2026-01-01&to=2026-01-02']]) {
        const res = await call(method!, path!, method === 'POST' ? { name: 'x', allowedOrigins: ['https://x.test'] } : undefined, agentToken);
        expect(res.status, `${method} ${path}`).toBe(403);
        expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
      }
      const res = await call<SiteAdminDTO[]>('GET', '/sites');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('refuses the token of an admin who was demoted since it was issued', async () => {
      const email = `demoted${Date.now()}@example.com`;
      const created = await call<InviteResult>('POST', '/agents', { email, name: 'Demoted', role: 'admin', password: 'demoted-password' });
      const token = (await login(server, email, 'demoted-password')).accessToken;
      expect((await call('GET', '/agents', undefined, token)).status).toBe(200);
      await call('PATCH', `/agents/${created.body.agent.id}`, { role: 'agent' });
      expect((await call('GET', '/agents', undefined, token)).status).toBe(403);
    });
  });

  describe('validation', () => {
    it.each([
      ['POST', '/sites', { name: 'Shop', allowedOrigins: ['https://a.test'], extra: 1 }],
      ['POST', '/sites', { name: 'Shop', allowedOrigins: [] }],
      ['POST', '/sites', { name: 'Shop', allowedOrigins: ['ftp://a.test'] }],
      ['POST', '/sites', { name: 'Shop', allowedOrigins: ['https://a.test'], widgetSettings: { color: 'red' } }],
      ['POST', '/sites', { name: 'Shop', allowedOrigins: ['https://a.test'], widgetSettings: { businessHours: { timezone: 'Mars/Base' } } }],
      ['POST', '/sites', { name: 'Shop', allowedOrigins: ['https://a.test'], widgetSettings: { businessHours: { days: { mon: { open: '9:00', close: '17:00' } } } } }],
      ['POST', '/agents', { email: 'nope', name: 'x', role: 'agent' }],
      ['POST', '/agents', { email: 'a@b.test', name: 'x', role: 'owner' }],
      ['POST', '/agents', { email: 'a@b.test', name: 'x', role: 'agent', password: 'short' }],
      ['POST', '/canned', { siteId: null, shortcut: 'has space', title: 't', body: 'b' }],
      ['POST', '/canned', { shortcut: 'ok', title: 't', body: 'b' }],
      ['GET', '/reports?from=2026-01-02&to=2026-01-01', undefined],
      ['GET', '/reports?from=2026-02-30&to=2026-03-01', undefined],
      ['GET', '/reports?from=2026-01-01&to=2026-01-02&tz=Nowhere/City', undefined],
      ['GET', '/reports?from=2026-01-01&to=2026-01-02&groupBy=week', undefined],
      ['GET', '/reports?from=2020-01-01&to=2026-01-02', undefined],
    ])('%s %s %j is a 400', async (method, path, body) => {
      const res = await call(method, path, body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'BAD_REQUEST', message: expect.any(String) } });
    });

    it('refuses malformed JSON and bad ids with a 400 too', async () => {
      const res = await fetch(`${server.url}/api/admin/sites`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: '{"name":',
      });
      expect(res.status).toBe(400);
      expect((await call('PATCH', '/agents/bad%20id', { capacity: 2 })).status).toBe(400);
      expect((await call('PATCH', `/agents/${server.site.id}`, { capacity: 0 })).status).toBe(400);
      expect((await call('PATCH', '/agents/unknown-agent', { capacity: 2 })).status).toBe(404);
    });
  });

  describe('sites', () => {
    it('creates a site with its snippet, merges setting changes and rotates the identity secret', async () => {
      const created = await call<SiteAdminDTO>('POST', '/sites', {
        name: 'Books',
        allowedOrigins: ['https://books.test', 'https://books.test/'],
        widgetSettings: { color: '#112233', prechat: { enabled: true } },
        identityRequired: true,
      });
      expect(created.status).toBe(201);
      const site = created.body;
      expect(site).toMatchObject({ name: 'Books', allowedOrigins: ['https://books.test'], identityRequired: true });
      expect(site.widgetSettings).toMatchObject({ color: '#112233', prechat: { enabled: true, nameRequired: false }, teamName: 'Support' });
      expect(site.snippet).toBe(`<script async src="${server.url}/widget.js" data-site="${site.publicKey}"></script>`);
      expect(site.identitySecret.length).toBeGreaterThan(20);

      const patched = await call<SiteAdminDTO>('PATCH', `/sites/${site.id}`, {
        widgetSettings: { greeting: 'Hello!', prechat: { emailRequired: true }, businessHours: { enabled: true, timezone: 'Asia/Shanghai', days: { mon: { open: '09:00', close: '18:00' } } } },
        identityRequired: false,
      });
      expect(patched.status).toBe(200);
      expect(patched.body.widgetSettings).toMatchObject({
        color: '#112233',
        greeting: 'Hello!',
        prechat: { enabled: true, emailRequired: true },
        businessHours: { enabled: true, timezone: 'Asia/Shanghai', days: { mon: { open: '09:00', close: '18:00' } } },
      });
      expect(patched.body.identityRequired).toBe(false);
      // The widget's public config follows.
      const config = await (await fetch(`${server.url}/api/widget/config?site=${site.publicKey}`)).json();
      expect(config.settings.greeting).toBe('Hello!');

      const rotated = await call<SiteAdminDTO>('POST', `/sites/${site.id}/rotate-secret`);
      expect(rotated.body.identitySecret).not.toBe(site.identitySecret);
      expect((await call<SiteAdminDTO>('GET', `/sites/${site.id}`)).body.identitySecret).toBe(rotated.body.identitySecret);
      expect((await call('GET', '/sites/no-such-site')).status).toBe(404);
    });
  });

  describe('agents and invitations', () => {
    it('creates an agent with a password, who can sign in at once', async () => {
      const email = `pw${Date.now()}@example.com`;
      const res = await call<InviteResult>('POST', '/agents', { email, name: 'Pat', role: 'agent', capacity: 2, siteIds: [server.site.id], password: 'pat-password' });
      expect(res.status).toBe(201);
      expect(res.body.inviteUrl).toBeNull();
      expect(res.body.agent).toMatchObject({ email, name: 'Pat', role: 'agent', capacity: 2, siteIds: [server.site.id], active: true, load: 0 });
      expect((await login(server, email, 'pat-password')).agent.email).toBe(email);
      const again = await call('POST', '/agents', { email, name: 'Pat', role: 'agent' });
      expect(again.status).toBe(409);
    });

    it('gives an agent created without siteIds every existing site, as the CLI does', async () => {
      const tag = Date.now();
      const allSites = (await call<SiteAdminDTO[]>('GET', '/sites')).body.map((site) => site.id).sort();
      expect(allSites.length).toBeGreaterThan(0);
      const viaApi = await call<InviteResult>('POST', '/agents', { email: `all${tag}@example.com`, name: 'All', role: 'agent', password: 'all-password' });
      expect(viaApi.status).toBe(201);
      const viaCli = await server.parley.admin.createAgent({ email: `cli${tag}@example.com`, password: 'cli-password', role: 'agent' });
      const listed = (await call<AgentAdminDTO[]>('GET', '/agents')).body;
      const sitesOf = (id: string) => [...(listed.find((a) => a.id === id)!.siteIds as string[])].sort();
      expect(sitesOf(viaApi.body.agent.id)).toEqual(allSites);
      expect(sitesOf(viaCli.id)).toEqual(allSites);
    });

    it('invites an agent with a one-time link whose token is stored only as a hash', async () => {
      const email = `inv${Date.now()}@example.com`;
      const res = await call<InviteResult>('POST', '/agents', { email, name: 'Ivy', role: 'agent', siteIds: [server.site.id] });
      const url = new URL(res.body.inviteUrl!);
      expect(url.origin + url.pathname).toBe(`${server.url}/console/invite`);
      const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
      expect(token.length).toBeGreaterThan(30);
      // Not signed in before accepting, and no password works.
      await expect(login(server, email, 'anything-at-all')).rejects.toThrow(/401/);

      const short = await acceptInvite(token, 'short');
      expect(short.status).toBe(400);
      const accepted = await acceptInvite(token, 'ivy-new-password');
      expect(accepted.status).toBe(200);
      expect(accepted.headers.get('set-cookie')).toMatch(/parley_refresh=/);
      const session = (await accepted.json()) as AgentSession;
      expect(session.agent.email).toBe(email);

      const twice = await acceptInvite(token, 'another-password');
      expect(twice.status).toBe(404);
      expect(await twice.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect((await login(server, email, 'ivy-new-password')).agent.email).toBe(email);
      await expect(login(server, email, 'another-password')).rejects.toThrow(/401/);
      expect((await acceptInvite('x'.repeat(43), 'whatever-password')).status).toBe(404);
    });

    it('a new invite replaces the previous link', async () => {
      const email = `re${Date.now()}@example.com`;
      const first = await call<InviteResult>('POST', '/agents', { email, name: 'Re', role: 'agent' });
      const second = await call<InviteResult>('POST', `/agents/${first.body.agent.id}/invite`);
      const tokenOf = (u: string) => new URLSearchParams(new URL(u).hash.slice(1)).get('token')!;
      expect((await acceptInvite(tokenOf(first.body.inviteUrl!), 'first-password')).status).toBe(404);
      expect((await acceptInvite(tokenOf(second.body.inviteUrl!), 'second-password')).status).toBe(200);
    });

    it('deactivating an agent requeues their conversations at once and stops their sign-in', async () => {
      const carl = await createAgent(server, `carl${Date.now()}`, 3);
      const agent = await connectAgent(server, carl);
      const visitor = await connectVisitor(server);
      const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
      const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'help me' });
      expect((await assigned).assignee?.id).toBe(agent.agentId);

      const requeued = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'queued');
      const res = await call<AgentAdminDTO>('PATCH', `/agents/${agent.agentId}`, { active: false });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ active: false, load: 0 });
      // No grace period: the visitor's conversation is back in the queue right away.
      const conversation = await requeued;
      expect(conversation).toMatchObject({ id: sent.conversation.id, status: 'queued', assignee: null });
      await expect(login(server, carl.email, carl.password)).rejects.toThrow(/401/);
      const listed = (await call<AgentAdminDTO[]>('GET', '/agents')).body.find((a) => a.id === agent.agentId);
      expect(listed?.active).toBe(false);

      const self = (await login(server, ADMIN.email, ADMIN.password)).agent.id;
      expect((await call('PATCH', `/agents/${self}`, { active: false })).status).toBe(409);
    });

    it('a capacity change applies to routing at once', async () => {
      const dee = await createAgent(server, `dee${Date.now()}`, 1);
      const agent = await connectAgent(server, dee);
      const first = await connectVisitor(server);
      const second = await connectVisitor(server);
      const firstAssigned = next<ConversationDTO>(first.socket, 'conversation:updated', (c) => c.status === 'active');
      await ok(first.socket, 'message:send', { clientId: clientId(), body: 'one' });
      await firstAssigned;
      await ok(second.socket, 'message:send', { clientId: clientId(), body: 'two' });
      await sleep(100);
      const secondAssigned = next<ConversationDTO>(second.socket, 'conversation:updated', (c) => c.status === 'active');
      const res = await call<AgentAdminDTO>('PATCH', `/agents/${agent.agentId}`, { capacity: 2 });
      expect(res.body.capacity).toBe(2);
      expect((await secondAssigned).assignee?.id).toBe(agent.agentId);
    });
  });

  describe('canned responses', () => {
    it('creates, lists per site for agents, edits and deletes', async () => {
      const other = await call<SiteAdminDTO>('POST', '/sites', { name: 'Other', allowedOrigins: ['https://other.test'] });
      const tag = Date.now().toString(36);
      const global = await call<CannedResponseDTO>('POST', '/canned', { siteId: null, shortcut: `/hi${tag}`, title: 'Hi', body: 'Hello there!' });
      expect(global.status).toBe(201);
      expect(global.body.shortcut).toBe(`hi${tag}`);
      const local = await call<CannedResponseDTO>('POST', '/canned', { siteId: server.site.id, shortcut: `ship${tag}`, title: 'Shipping', body: 'Ships in 2 days.' });
      const elsewhere = await call<CannedResponseDTO>('POST', '/canned', { siteId: other.body.id, shortcut: `ret${tag}`, title: 'Returns', body: '30 days.' });
      expect((await call('POST', '/canned', { siteId: null, shortcut: `hi${tag}`, title: 'Dup', body: 'dup' })).status).toBe(409);
      expect((await call('POST', '/canned', { siteId: 'no-such-site', shortcut: 'x', title: 'x', body: 'x' })).status).toBe(400);

      const eve = await createAgent(server, `eve${tag}`);
      const agent = await connectAgent(server, eve);
      const offered = await ok<CannedResponseDTO[]>(agent.socket, 'canned:list', {});
      const shortcuts = offered.map((c) => c.shortcut);
      expect(shortcuts).toContain(`hi${tag}`);
      expect(shortcuts).toContain(`ship${tag}`);
      expect(shortcuts).not.toContain(`ret${tag}`);

      const edited = await call<CannedResponseDTO>('PATCH', `/canned/${local.body.id}`, { siteId: server.site.id, shortcut: `ship${tag}`, title: 'Shipping', body: 'Ships tomorrow.' });
      expect(edited.body.body).toBe('Ships tomorrow.');
      expect((await call('DELETE', `/canned/${elsewhere.body.id}`)).status).toBe(204);
      expect((await call('DELETE', `/canned/${elsewhere.body.id}`)).status).toBe(404);
      const all = (await call<CannedResponseDTO[]>('GET', '/canned')).body.map((c) => c.id);
      expect(all).toContain(local.body.id);
      expect(all).not.toContain(elsewhere.body.id);
    });
  });

  describe('reports', () => {
    it('counts the conversations just handled, per day and per agent, as JSON and CSV', async () => {
      const site = await call<SiteAdminDTO>('POST', '/sites', { name: 'Reported', allowedOrigins: ['https://shop.example.com'] });
      server.site = { ...site.body };
      const fay = await createAgent(server, `fay${Date.now()}`);
      const agent = await connectAgent(server, fay);
      for (const text of ['first', 'second']) {
        const visitor = await connectVisitor(server);
        const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
        const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: text });
        await assigned;
        await ok(agent.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: `re: ${text}` });
        await ok(agent.socket, 'conversation:resolve', { conversationId: sent.conversation.id });
      }
      const today = new Date().toISOString().slice(0, 10);
      const byAgent = await call<Report>('GET', `/reports?from=${today}&to=${today}&groupBy=agent&tz=UTC&siteId=${site.body.id}`);
      expect(byAgent.status).toBe(200);
      expect(byAgent.body.totals).toMatchObject({ conversations: 2, resolved: 2 });
      const row = byAgent.body.rows.find((r) => r.key === agent.agentId)!;
      expect(row).toMatchObject({ label: fay.email.split('@')[0], conversations: 2, resolved: 2 });
      expect(row.firstResponse.count).toBe(2);
      expect(row.firstResponse.medianMs).toBeGreaterThanOrEqual(0);
      expect(row.resolution.p90Ms).toBeGreaterThanOrEqual(row.resolution.medianMs!);

      const byDay = await call<Report>('GET', `/reports?from=${today}&to=${today}&siteId=${site.body.id}`);
      expect(byDay.body.rows).toHaveLength(1);
      expect(byDay.body.rows[0]).toMatchObject({ key: today, conversations: 2 });

      const csv = await call<string>('GET', `/reports?from=${today}&to=${today}&groupBy=agent&siteId=${site.body.id}&format=csv`);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="parley-report-agent-/);
      const lines = csv.body.trimEnd().split('\r\n');
      expect(lines[0]).toMatch(/^key,label,conversations,resolved,/);
      expect(lines.at(-1)).toMatch(/^total,Total,2,2,/);
    });
  });
});
