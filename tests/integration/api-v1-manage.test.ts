/**
 * REST API v1's managing routes over real HTTP: sites and agents through the console's use cases, assigning a
 * queued conversation to a named agent, files, and the report as CSV; each within the key's scopes and site, and
 * every answer checked against /api/v1/openapi.json.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationAttachment } from '../../server/contract/api-v1.ts';
import type { AgentAdminDTO, InviteResult, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { AttachmentDTO, ConversationDTO, HistoryPage } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { api, createKey, seenAnswers, uploadFile } from '../support/api-v1.ts';
import { undocumented } from '../support/openapi-check.ts';
import {
  ADMIN, SITE_ORIGIN, clientId, connectAgent, connectVisitor, createAgent, login, ok, useNewSite, useSharedServer, type TestServer,
} from '../support/parley.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);

describe('REST API v1: sites, agents, assignment, files and CSV', () => {
  let server: TestServer;
  useSharedServer((started) => (server = started));

  const adminKey = async (siteId?: string) => (await createKey(server, { name: 'admin', scopes: ['admin'], ...(siteId && { siteId }) })).key;
  const agentId = async (key: string, email: string) => (await api<AgentAdminDTO[]>(server, key, 'GET', '/agents')).body.find((a) => a.email === email)!.id;

  async function queuedConversation(body = 'Hello') {
    const visitor = await connectVisitor(server);
    return (await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body })).conversation;
  }

  it('creates and changes sites with the admin API’s validation, secrets rotating as in the console', async () => {
    const key = await adminKey();
    const created = await api<SiteAdminDTO>(server, key, 'POST', '/sites', { name: 'Outlet', allowedOrigins: ['https://outlet.example'], widgetSettings: { color: '#112233' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Outlet', allowedOrigins: ['https://outlet.example'], widgetSettings: { color: '#112233', position: 'right' } });
    expect(created.body.snippet).toContain(created.body.publicKey);
    // The same schema as the console's: a wildcard origin or an unknown field is a typed 400.
    expect((await api(server, key, 'POST', '/sites', { name: 'Bad', allowedOrigins: ['https://*.example'] })).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await api(server, key, 'POST', '/sites', { name: 'Bad', allowedOrigins: ['https://ok.example'], owner: 'x' })).status).toBe(400);

    const id = created.body.id;
    const patched = await api<SiteAdminDTO>(server, key, 'PATCH', `/sites/${id}`, { widgetSettings: { position: 'left' }, identityRequired: true });
    expect(patched.body).toMatchObject({ identityRequired: true, widgetSettings: { color: '#112233', position: 'left' } });
    const rotated = await api<SiteAdminDTO>(server, key, 'POST', `/sites/${id}/rotate-secret`);
    expect(rotated.body.identitySecret).not.toBe(patched.body.identitySecret);
    expect((await api<SiteAdminDTO>(server, key, 'POST', `/sites/${id}/rotate-visitor-key`)).body.visitorKeyVersion).toBe(created.body.visitorKeyVersion + 1);

    // The console reads what the API wrote: one use case, one store.
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    const inConsole = (await (await fetch(`${server.url}/api/admin/sites/${id}`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as SiteAdminDTO;
    expect(inConsole).toMatchObject({ identitySecret: rotated.body.identitySecret, widgetSettings: { position: 'left' } });
    expect((await api<SiteAdminDTO>(server, key, 'GET', `/sites/${id}`)).body.identitySecret).toBe(rotated.body.identitySecret);
  });

  it('keeps a site key to its site, and management to admin keys acting as admins', async () => {
    const siteA = server.site;
    const siteB = await useNewSite(server, 'B');
    const keyA = await adminKey(siteA.id);
    expect((await api(server, keyA, 'POST', '/sites', { name: 'More', allowedOrigins: [SITE_ORIGIN] })).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await api(server, keyA, 'PATCH', `/sites/${siteB.id}`, { name: 'Taken' })).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await api(server, keyA, 'POST', `/sites/${siteB.id}/rotate-secret`)).status).toBe(404);
    expect((await api<SiteAdminDTO>(server, keyA, 'PATCH', `/sites/${siteA.id}`, { name: 'Shop A' })).body.name).toBe('Shop A');

    const readOnly = (await createKey(server, { name: 'ro', scopes: ['conversations:read', 'conversations:write', 'reports:read'] })).key;
    expect((await api(server, readOnly, 'POST', '/sites', { name: 'No', allowedOrigins: [SITE_ORIGIN] })).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await api(server, readOnly, 'POST', '/agents', { email: 'no@example.com', name: 'No', role: 'agent' })).status).toBe(403);

    // An admin-scoped key that acts as a plain agent manages nothing.
    const { email } = await createAgent(server, `plain${Date.now()}`);
    const asAgent = (await createKey(server, { name: 'as agent', scopes: ['admin'], agentId: await agentId(await adminKey(), email) })).key;
    expect((await api(server, asAgent, 'PATCH', `/sites/${siteB.id}`, { name: 'No' })).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('invites, changes and deactivates agents through the console’s use cases; a deactivated agent’s chat goes back to the queue', async () => {
    const key = await adminKey();
    const stamp = Date.now();
    const invited = await api<InviteResult>(server, key, 'POST', '/agents', { email: `dana${stamp}@example.com`, name: 'Dana', role: 'agent', siteIds: [server.site.id], capacity: 2 });
    expect(invited.status).toBe(201);
    expect(invited.body.inviteUrl).toMatch(/\/console\/invite#token=/);
    expect(invited.body.agent).toMatchObject({ capacity: 2, siteIds: [server.site.id], active: true });
    expect((await api(server, key, 'POST', '/agents', { email: `dana${stamp}@example.com`, name: 'Dana', role: 'agent' })).body).toMatchObject({ error: { code: 'CONFLICT' } });
    expect((await api(server, key, 'POST', '/agents', { email: 'not-an-email', name: 'X', role: 'agent' })).status).toBe(400);
    expect((await api<InviteResult>(server, key, 'POST', `/agents/${invited.body.agent.id}/invite`)).body.inviteUrl).not.toBe(invited.body.inviteUrl);

    const eli = await api<InviteResult>(server, key, 'POST', '/agents', { email: `eli${stamp}@example.com`, name: 'Eli', role: 'agent', siteIds: [server.site.id], password: 'eli-password-1' });
    expect(eli.body.inviteUrl).toBeNull();
    const console = await connectAgent(server, { email: `eli${stamp}@example.com`, password: 'eli-password-1' });
    const conversation = await queuedConversation();
    await expect.poll(async () => (await api<{ conversation: ConversationDTO }>(server, key, 'GET', `/conversations/${conversation.id}`)).body.conversation.assignee?.id).toBe(console.agentId);

    expect((await api<AgentAdminDTO>(server, key, 'PATCH', `/agents/${console.agentId}`, { capacity: 4 })).body.capacity).toBe(4);
    expect((await api<AgentAdminDTO>(server, key, 'PATCH', `/agents/${console.agentId}`, { active: false })).body.active).toBe(false);
    await expect.poll(async () => (await api<{ conversation: ConversationDTO }>(server, key, 'GET', `/conversations/${conversation.id}`)).body.conversation.status).toBe('queued');
    // As in the console, the key's own agent cannot lock themselves out.
    const me = await agentId(key, ADMIN.email);
    expect((await api(server, key, 'PATCH', `/agents/${me}`, { active: false })).body).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('lets a site key create agents of its site only, and not reach other sites’ agents or make admins', async () => {
    const all = await adminKey();
    const siteA = server.site;
    await useNewSite(server, 'Elsewhere');
    const { email: otherEmail } = await createAgent(server, `fay${Date.now()}`);
    server.site = siteA;
    const keyA = await adminKey(siteA.id);
    const made = await api<InviteResult>(server, keyA, 'POST', '/agents', { email: `gus${Date.now()}@example.com`, name: 'Gus', role: 'agent' });
    expect(made.body.agent.siteIds).toEqual([siteA.id]);
    expect((await api(server, keyA, 'POST', '/agents', { email: `hal${Date.now()}@example.com`, name: 'Hal', role: 'admin' })).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await api(server, keyA, 'PATCH', `/agents/${made.body.agent.id}`, { siteIds: [] })).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await api(server, keyA, 'PATCH', `/agents/${await agentId(all, otherEmail)}`, { capacity: 9 })).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await api<AgentAdminDTO>(server, keyA, 'PATCH', `/agents/${made.body.agent.id}`, { name: 'Gustav' })).body.name).toBe('Gustav');
  });

  it('assigns a queued conversation to a named agent by routing’s rules, with typed refusals', async () => {
    const key = await adminKey(server.site.id);
    const stamp = Date.now();
    const amy = await createAgent(server, `amy${stamp}`, 1);
    const ben = await createAgent(server, `ben${stamp}`);
    const amyConsole = await connectAgent(server, amy);
    // Away: routing gives her nothing by itself, so the conversations stay queued until someone picks.
    await ok(amyConsole.socket, 'agent:setStatus', { status: 'away' });
    const first = await queuedConversation('first');
    const second = await queuedConversation('second');
    const benId = await agentId(key, ben.email);

    const assigned = await api<ConversationDTO>(server, key, 'POST', `/conversations/${first.id}/assign`, { agentId: amyConsole.agentId });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'active', assignee: { id: amyConsole.agentId } });
    const history = await api<HistoryPage>(server, key, 'GET', `/conversations/${first.id}/messages?afterSeq=0`);
    expect(history.body.messages.at(-1)?.system).toMatchObject({ type: 'assigned', agentId: amyConsole.agentId });
    // Again to the same agent: answered as it is.
    expect((await api<ConversationDTO>(server, key, 'POST', `/conversations/${first.id}/assign`, { agentId: amyConsole.agentId })).status).toBe(200);

    const refusal = async (conversationId: string, agentId: string, asKey = key) => (await api<{ error: { code: string } }>(server, asKey, 'POST', `/conversations/${conversationId}/assign`, { agentId })).body.error?.code;
    expect(await refusal(second.id, amyConsole.agentId)).toBe('AGENT_AT_CAPACITY');
    expect(await refusal(second.id, benId)).toBe('AGENT_UNAVAILABLE');
    expect(await refusal(first.id, benId)).toBe('ALREADY_ASSIGNED');
    const outsider = await createKey(server, { name: 'x', scopes: ['admin'] });
    const elsewhere = await useNewSite(server, 'Other');
    const { email: otherEmail } = await createAgent(server, `cy${stamp}`);
    expect(await refusal(second.id, await agentId(outsider.key, otherEmail), outsider.key)).toBe('FORBIDDEN');
    // A key acting as a plain agent may not hand chats to others; a read key may not write; a key for another site sees nothing.
    const asBen = (await createKey(server, { name: 'ben', scopes: ['conversations:write'], agentId: benId })).key;
    expect(await refusal(second.id, amyConsole.agentId, asBen)).toBe('FORBIDDEN');
    const reader = (await createKey(server, { name: 'r', scopes: ['conversations:read'] })).key;
    expect(await refusal(second.id, amyConsole.agentId, reader)).toBe('FORBIDDEN');
    const otherSite = (await createKey(server, { name: 'o', scopes: ['conversations:write'], siteId: elsewhere.id })).key;
    expect(await refusal(second.id, amyConsole.agentId, otherSite)).toBe('NOT_FOUND');
    expect((await api<{ conversation: ConversationDTO }>(server, key, 'GET', `/conversations/${second.id}`)).body.conversation.status).toBe('queued');
  });

  it('uploads a file as the key’s agent, sends it, lists and downloads it with the console’s safety headers', async () => {
    const rw = (await createKey(server, { name: 'files', scopes: ['conversations:read', 'conversations:write'], siteId: server.site.id })).key;
    const conversation = await queuedConversation();
    await api(server, rw, 'POST', `/conversations/${conversation.id}/claim`);
    const uploaded = await uploadFile<AttachmentDTO>(server, rw, conversation.id, 'chart.html', PNG);
    expect(uploaded.status).toBe(201);
    // The type is the bytes', and the name follows it.
    expect(uploaded.body).toMatchObject({ contentType: 'image/png', fileName: 'chart.png', size: PNG.byteLength, image: true });
    expect((await uploadFile(server, rw, conversation.id, 'x.exe', Uint8Array.from([0x4d, 0x5a, 0, 1, 2]))).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    expect((await uploadFile(server, rw, conversation.id, 'empty.txt', new Uint8Array())).status).toBe(400);
    expect((await uploadFile(server, rw, conversation.id, 'big.txt', new Uint8Array(10 * 1024 * 1024 + 1).fill(0x61))).body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });

    // Not sent yet: not listed, not downloadable.
    expect((await api<ConversationAttachment[]>(server, rw, 'GET', `/conversations/${conversation.id}/attachments`)).body).toEqual([]);
    expect((await api(server, rw, 'GET', `/conversations/${conversation.id}/attachments/${uploaded.body.id}`)).status).toBe(404);
    const sent = await api<SendResult>(server, rw, 'POST', `/conversations/${conversation.id}/messages`, { clientId: clientId(), body: 'see the chart', attachmentIds: [uploaded.body.id] });
    expect(sent.body.message.attachments.map((a) => a.id)).toEqual([uploaded.body.id]);

    const listed = await api<ConversationAttachment[]>(server, rw, 'GET', `/conversations/${conversation.id}/attachments`);
    expect(listed.body).toEqual([expect.objectContaining({ id: uploaded.body.id, messageId: sent.body.message.id, uploaderKind: 'agent', fileName: 'chart.png' })]);
    const download = await api<string>(server, rw, 'GET', `/conversations/${conversation.id}/attachments/${uploaded.body.id}`);
    expect(download.status).toBe(200);
    expect(download.contentType).toBe('image/png');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=chart.png');
    expect(download.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');

    const writeOnly = (await createKey(server, { name: 'w', scopes: ['conversations:write'] })).key;
    expect((await api(server, writeOnly, 'GET', `/conversations/${conversation.id}/attachments`)).status).toBe(403);
    const readOnly = (await createKey(server, { name: 'r', scopes: ['conversations:read'] })).key;
    expect((await uploadFile(server, readOnly, conversation.id, 'a.txt', new TextEncoder().encode('hi'))).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const otherSite = (await createKey(server, { name: 'o', scopes: ['conversations:read'], siteId: (await useNewSite(server, 'Far')).id })).key;
    expect((await api(server, otherSite, 'GET', `/conversations/${conversation.id}/attachments/${uploaded.body.id}`)).body).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('exports the report as CSV for reports:read, with spreadsheet formulas defused', async () => {
    const key = (await createKey(server, { name: 'bi', scopes: ['reports:read'] })).key;
    const stamp = Date.now();
    // An agent's name is a CSV cell of the per-agent report: one that starts like a formula must not run.
    const created = await api<InviteResult>(server, await adminKey(), 'POST', '/agents', { email: `f${stamp}@example.com`, name: '=HYPERLINK("http://x")', role: 'agent', siteIds: [server.site.id], password: 'formula-pw-1' });
    const agent = await connectAgent(server, { email: `f${stamp}@example.com`, password: 'formula-pw-1' });
    expect(agent.agentId).toBe(created.body.agent.id);
    await queuedConversation();
    const today = new Date().toISOString().slice(0, 10);
    await expect.poll(async () => (await api<string>(server, key, 'GET', `/reports?from=${today}&to=${today}&groupBy=agent&format=csv`)).body).toContain('HYPERLINK');

    const csv = await api<string>(server, key, 'GET', `/reports?from=${today}&to=${today}&groupBy=agent&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.contentType).toBe('text/csv');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="parley-report-agent-${today}-${today}.csv"`);
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^key,label,conversations,/);
    expect(lines.find((l) => l.startsWith(created.body.agent.id))).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines.at(-1)).toMatch(/^total,Total,/);
    const noScope = (await createKey(server, { name: 'c', scopes: ['conversations:read'] })).key;
    expect((await api(server, noScope, 'GET', `/reports?from=${today}&to=${today}&format=csv`)).body).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('describes every answer above in /api/v1/openapi.json, files and CSV included', async () => {
    const document = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Parameters<typeof undocumented>[0];
    expect(seenAnswers.length).toBeGreaterThan(50);
    expect(new Set(seenAnswers.map((a) => a.contentType))).toEqual(new Set(['application/json', 'image/png', 'text/csv']));
    expect(undocumented(document, seenAnswers)).toEqual([]);
  });
});
