/** REST API v1 visitors, reports, sites and agents: scopes, sites, the admin-only parts, and the OpenAPI document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentAdminDTO, Report, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { VisitorDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { api, createKey, seenAnswers } from '../support/api-v1.ts';
import { undocumented } from '../support/openapi-check.ts';
import { clientId, closeAllSockets, connectVisitor, createAgent, ok, startServer, useNewSite, type TestServer } from '../support/parley.ts';

describe('REST API v1 visitors, reports, sites and agents', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    closeAllSockets();
    await server.close();
  });

  it('reads a visitor and merges attributes through the widget’s own rules, within the key’s scopes and site', async () => {
    const visitor = await connectVisitor(server);
    const { conversation } = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
    const both = (await createKey(server, { name: 'crm', scopes: ['visitors:read', 'visitors:write'], siteId: server.site.id })).key;
    const readOnly = (await createKey(server, { name: 'ro', scopes: ['visitors:read'] })).key;

    const read = await api<VisitorDTO>(server, readOnly, 'GET', `/visitors/${conversation.visitorId}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(conversation.visitorId);
    expect((await api(server, readOnly, 'PATCH', `/visitors/${conversation.visitorId}`, { attributes: { plan: 'pro' } })).status).toBe(403);

    const updated = await api<VisitorDTO>(server, both, 'PATCH', `/visitors/${conversation.visitorId}`, { attributes: { plan: 'pro', seats: 5 } });
    expect(updated.status).toBe(200);
    expect(updated.body.attributes).toMatchObject({ plan: 'pro', seats: 5 });
    expect((await api(server, both, 'PATCH', `/visitors/${conversation.visitorId}`, { attributes: { plan: 'pro' }, name: 'Mallory' })).status).toBe(400);
    const tooMany = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`a${i}`, i]));
    expect((await api(server, both, 'PATCH', `/visitors/${conversation.visitorId}`, { attributes: tooMany })).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await api<VisitorDTO>(server, both, 'GET', `/visitors/${conversation.visitorId}`)).body.attributes).toEqual({ plan: 'pro', seats: 5 });

    const elsewhere = (await createKey(server, { name: 'other', scopes: ['visitors:read'], siteId: (await useNewSite(server, 'Other')).id })).key;
    expect((await api(server, elsewhere, 'GET', `/visitors/${conversation.visitorId}`)).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('gives reports, sites and agents to admin keys only, narrowed to the key’s site', async () => {
    const siteKey = (await createKey(server, { name: 'site admin', scopes: ['admin'], siteId: server.site.id })).key;
    const sites = await api<SiteAdminDTO[]>(server, siteKey, 'GET', '/sites');
    expect(sites.body.map((s) => s.id)).toEqual([server.site.id]);
    expect((await api<AgentAdminDTO[]>(server, siteKey, 'GET', '/agents')).body.length).toBeGreaterThan(0);
    const report = await api<Report>(server, siteKey, 'GET', '/reports?from=2026-01-01&to=2026-01-31');
    expect(report.status).toBe(200);
    expect(report.body.rows.length).toBe(31);
    expect((await api(server, siteKey, 'GET', '/reports?from=2026-01-31&to=2026-01-01')).status).toBe(400);

    const reportsOnly = (await createKey(server, { name: 'bi', scopes: ['reports:read'] })).key;
    expect((await api(server, reportsOnly, 'GET', '/reports?from=2026-01-01&to=2026-01-02')).status).toBe(200);
    expect((await api(server, reportsOnly, 'GET', '/sites')).body).toMatchObject({ error: { code: 'FORBIDDEN' } });

    // A key acting as a plain agent does not reach the admin console's figures, whatever its scopes.
    const bob = await createAgent(server, `bob${Date.now()}`);
    const agentId = (await api<AgentAdminDTO[]>(server, siteKey, 'GET', '/agents')).body.find((a) => a.email === bob.email)!.id;
    const asAgent = (await createKey(server, { name: 'agent', scopes: ['admin'], agentId })).key;
    expect((await api(server, asAgent, 'GET', '/reports?from=2026-01-01&to=2026-01-02')).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('describes every answer above in /api/v1/openapi.json', async () => {
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Parameters<typeof undocumented>[0];
    expect(seenAnswers.length).toBeGreaterThan(10);
    expect(undocumented(document, seenAnswers)).toEqual([]);
  });
});
