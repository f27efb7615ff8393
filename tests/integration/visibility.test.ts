/**
 * "Agents see all conversations" (agentsSeeAll): off, an agent sees the queue and the conversations they hold or
 * held, live and on request; admins see all. On, every agent of the site sees everything, as before.
 */
import { describe, expect, it } from 'vitest';
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO, TeamMemberDTO } from '../../server/contract/dto.ts';
import type { ConversationDetail, SendResult, TypingEvent } from '../../server/contract/events.ts';
import { ADMIN, ask, backends, clientId, connectAgent, connectVisitor, createAgent, login, next, nextAgentMessage, ok, record, recordAgentConversations, recordAgentMessages, useNewSite, useSharedServer, type AgentSocket, type TestServer } from '../support/parley.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';

describe.each(backends)('on %s', (backend) => {
let server: TestServer;
useSharedServer((started) => (server = started), backend);

async function agentsSeeAll(value: boolean) {
  const site = server.site;
  await server.parley.store.sites.update(site.id, { widgetSettings: { ...site.widgetSettings, agentsSeeAll: value, typingPreview: true } });
}

/** Ann holds a conversation with a visitor; Ben, another agent of the site, and an admin are connected too. */
async function annHoldsOne(name: string) {
  const ann = await connectAgent(server, await createAgent(server, `ann-${name}`, 1));
  const visitor = await connectVisitor(server);
  const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
  const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hello' });
  expect((await assigned).assignee?.id).toBe(ann.agentId);
  const ben = await connectAgent(server, await createAgent(server, `ben-${name}`, 3));
  await ok(ben.socket, 'agent:setStatus', { status: 'away' });
  const admin = await connectAgent(server, ADMIN);
  await ok(admin.socket, 'agent:setStatus', { status: 'away' });
  return { ann, ben, admin, visitor, conversationId: first.conversation.id };
}

const ids = (list: { id: string }[]) => list.map((c) => c.id);
const refused = async (socket: AgentSocket, event: string, payload: unknown) => (await ask(socket, event, payload)) as { ok: boolean; error?: { code: string } };

describe('agents see all conversations: off', () => {
  it("keeps an agent out of a colleague's conversation, live and on request, and shows them the queue", async () => {
    await agentsSeeAll(false);
    const { ann, ben, admin, visitor, conversationId } = await annHoldsOne('off');
    const benHeard = recordAgentMessages(ben.socket);
    const benUpdates = recordAgentConversations<ConversationSummaryDTO>(ben.socket);
    const benTyping = record<TypingEvent>(ben.socket, 'typing');

    const adminHears = nextAgentMessage(admin.socket, (m) => m.body === 'my card number');
    await ok(visitor.socket, 'typing', { conversationId, typing: true, preview: 'my card num' });
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'my card number' });
    await ok(ann.socket, 'conversation:setLabels', { conversationId, labels: ['vip'] });
    await adminHears;

    // A second visitor waits in the queue (Ann is at capacity, Ben and the admin are away): Ben sees it live.
    const waiting = await connectVisitor(server);
    const benHearsQueue = nextAgentHeard(ben.socket, (m) => m.body === 'anyone?');
    const queued = await ok<SendResult>(waiting.socket, 'message:send', { clientId: clientId(), body: 'anyone?' });
    await benHearsQueue;
    expect(benHeard.filter((m) => m.conversationId === conversationId)).toEqual([]);
    // Of its state Ben hears only that it is not in the queue, and whose it is: no visitor, text or labels.
    for (const update of benUpdates.filter((c) => c.id === conversationId)) {
      expect(Object.keys(update).sort()).toEqual(['assignedAt', 'assignee', 'id', 'lastSeq', 'siteId', 'status']);
    }
    expect(benTyping.filter((t) => t.conversationId === conversationId)).toEqual([]);

    const ref = { conversationId };
    expect(await refused(ben.socket, 'conversation:get', ref)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await refused(ben.socket, 'history:get', ref)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await refused(ben.socket, 'conversation:setLabels', { ...ref, labels: [] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await refused(ben.socket, 'message:send', { ...ref, clientId: clientId(), body: 'peek', note: true })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await refused(ben.socket, 'conversation:list', { view: 'all' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(ids(await ok<ConversationSummaryDTO[]>(ben.socket, 'conversation:search', { query: 'card' }))).toEqual([]);
    expect(ids(await ok<ConversationSummaryDTO[]>(ben.socket, 'conversation:list', { view: 'queue' }))).toEqual([queued.conversation.id]);
    expect((await ok<ConversationDetail>(ben.socket, 'conversation:get', { conversationId: queued.conversation.id })).conversation.id).toBe(queued.conversation.id);

    await ok(ann.socket, 'conversation:resolve', ref);
    expect(ids(await ok<ConversationSummaryDTO[]>(ben.socket, 'conversation:list', { view: 'resolved' }))).not.toContain(conversationId);
    expect(ids(await ok<ConversationSummaryDTO[]>(ann.socket, 'conversation:list', { view: 'resolved' }))).toContain(conversationId);
    expect(await refused(ben.socket, 'conversation:reopen', ref)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    // The admin sees everything.
    expect((await ok<ConversationDetail>(admin.socket, 'conversation:get', ref)).conversation.id).toBe(conversationId);
    expect(ids(await ok<ConversationSummaryDTO[]>(admin.socket, 'conversation:search', { query: 'card' }))).toEqual([conversationId]);
    expect(ids(await ok<ConversationSummaryDTO[]>(admin.socket, 'conversation:list', { view: 'resolved' }))).toContain(conversationId);
  });

  it('lets an agent who held a conversation keep following and reading it after handing it on', async () => {
    await agentsSeeAll(false);
    const { ann, ben, visitor, conversationId } = await annHoldsOne('held');
    await ok(ben.socket, 'agent:setStatus', { status: 'online' });
    await ok(ann.socket, 'conversation:transfer', { conversationId, agentId: ben.agentId });
    await ok(ben.socket, 'conversation:transfer', { conversationId, agentId: ann.agentId });

    const benHears = nextAgentMessage(ben.socket, (m) => m.body === 'still there?');
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'still there?' });
    expect((await benHears).conversationId).toBe(conversationId);
    const page = await ok<{ messages: MessageDTO[] }>(ben.socket, 'history:get', { conversationId });
    expect(page.messages.map((m) => m.body)).toContain('still there?');

    // A console opened later follows it too.
    const benAgain = await connectAgent(server, { email: `ben-held@example.com`, password: 'ben-held-password' });
    const benAgainHears = nextAgentMessage(benAgain.socket, (m) => m.body === 'hello again');
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'hello again' });
    expect((await benAgainHears).conversationId).toBe(conversationId);
  });
});

describe('agents see all conversations: turned off', () => {
  it("closes the site's agents' consoles, which reconnect no longer following colleagues' conversations", async () => {
    await agentsSeeAll(true);
    const { ben, admin, visitor, conversationId } = await annHoldsOne('turned');
    const benClosed = next<string>(ben.socket, 'disconnect');
    const adminHeard = record<string>(admin.socket, 'disconnect');
    const token = (await login(server, ADMIN.email, ADMIN.password)).accessToken;
    const res = await fetch(`${server.url}/api/admin/sites/${server.site.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ widgetSettings: { agentsSeeAll: false } }),
    });
    expect(res.status).toBe(200);
    expect(await benClosed).toBe('io server disconnect');

    const benAgain = await connectAgent(server, { email: 'ben-turned@example.com', password: 'ben-turned-password' });
    const benHeard = recordAgentMessages(benAgain.socket);
    const adminHears = nextAgentMessage(admin.socket, (m) => m.body === 'private now');
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'private now' });
    await adminHears;
    expect(adminHeard).toEqual([]);
    expect(await refused(benAgain.socket, 'conversation:get', { conversationId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(benHeard.filter((m) => m.conversationId === conversationId)).toEqual([]);
  });
});

describe('agents see all conversations: turned off by another process', () => {
  it('lets a console opened afterwards hear of the conversations it holds, though the server took the site as seen whole', async () => {
    await agentsSeeAll(true);
    const { ann, admin, visitor, conversationId } = await annHoldsOne('elsewhere');
    // Messages of a site seen whole go to the whole-site room alone, once the server knows the setting.
    for (const body of ['one', 'two']) {
      const adminHears = nextAgentMessage(admin.socket, (m) => m.body === body);
      await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body });
      await adminHears;
    }
    // As the CLI would: straight to the database, with no word to the server.
    await agentsSeeAll(false);
    const annAgain = await connectAgent(server, { email: 'ann-elsewhere@example.com', password: 'ann-elsewhere-password' });
    const annHears = nextAgentMessage(annAgain.socket, (m) => m.body === 'still mine?');
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'still mine?' });
    expect((await annHears).conversationId).toBe(conversationId);
    ann.socket.disconnect();
  });
});

describe('agents see all conversations: on', () => {
  it("shows every agent of the site a colleague's conversation, live and on request", async () => {
    await agentsSeeAll(true);
    const { ben, visitor, conversationId } = await annHoldsOne('on');
    const benHears = nextAgentMessage(ben.socket, (m) => m.body === 'for everyone');
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'for everyone' });
    expect((await benHears).conversationId).toBe(conversationId);
    expect((await ok<ConversationDetail>(ben.socket, 'conversation:get', { conversationId })).conversation.id).toBe(conversationId);
    expect(ids(await ok<ConversationSummaryDTO[]>(ben.socket, 'conversation:list', { view: 'all' }))).toContain(conversationId);
  });
});

describe('the team an agent sees', () => {
  it('lists and updates only the agents sharing a site with them, with emails for admins only', async () => {
    const xena = await connectAgent(server, await createAgent(server, 'xena'));
    const zoe = await connectAgent(server, await createAgent(server, 'zoe'));
    await useNewSite(server, 'Elsewhere');
    const yuri = await connectAgent(server, await createAgent(server, 'yuri'));
    const admin = await connectAgent(server, ADMIN);
    const xenaHeard = record<TeamMemberDTO[]>(xena.socket, 'agents:updated');

    const team = await ok<TeamMemberDTO[]>(xena.socket, 'agents:list', {});
    const byId = new Map(team.map((a) => [a.id, a]));
    expect(byId.has(yuri.agentId)).toBe(false);
    expect(byId.get(xena.agentId)?.email).toBe('xena@example.com');
    expect(byId.get(zoe.agentId)).not.toHaveProperty('email');
    expect(byId.get(admin.agentId)).not.toHaveProperty('email');
    expect(byId.get(zoe.agentId)).toMatchObject({ name: 'zoe', status: 'online' });

    const everyone = await ok<AgentDTO[]>(admin.socket, 'agents:list', {});
    expect(everyone.find((a) => a.id === yuri.agentId)?.email).toBe('yuri@example.com');
    expect(everyone.find((a) => a.id === zoe.agentId)?.email).toBe('zoe@example.com');

    await ok(yuri.socket, 'agent:setStatus', { status: 'away' });
    const zoeIsAway = (a: TeamMemberDTO) => a.id === zoe.agentId && a.status === 'away';
    const zoeAway = next<TeamMemberDTO[]>(xena.socket, 'agents:updated', (list) => list.some(zoeIsAway)).then((list) => list.find(zoeIsAway));
    const adminSeesZoe = next<AgentDTO[]>(admin.socket, 'agents:updated', (list) => list.some(zoeIsAway)).then((list) => list.find(zoeIsAway)!);
    await ok(zoe.socket, 'agent:setStatus', { status: 'away' });
    expect(await zoeAway).not.toHaveProperty('email');
    expect((await adminSeesZoe).email).toBe('zoe@example.com');
    expect(xenaHeard.flat().filter((a) => a.id === yuri.agentId)).toEqual([]);
  });
});
});
