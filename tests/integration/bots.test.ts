import { describe, expect, it } from 'vitest';
import type { Report } from '../../server/contract/admin.ts';
import type { BotDTO, CreateBotRequest } from '../../server/contract/bots.ts';
import type { ConversationDTO, MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { BotResponder } from '../../server/bots/ports.ts';
import {
  ADMIN, ask, backends, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, login, next, ok, useNewSite, useSharedServer, type TestServer,
} from '../support/parley.ts';
import { api, createKey } from '../support/api-v1.ts';

describe.each(backends)('bots on %s', (backend) => {
  let server: TestServer;
  useSharedServer((started) => (server = started), backend);

  async function createBot(req: Partial<CreateBotRequest> & Pick<CreateBotRequest, 'kind' | 'config'>) {
    const admin = await server.parley.store.agents.findByEmail(ADMIN.email);
    return server.parley.bots.service.create(server.site.id, { name: 'Helper', ...req }, admin!.id);
  }

  const hoursBot = (capacity = 5) => createBot({ kind: 'rule', capacity, config: { rules: [{ type: 'keyword', match: 'hours', answer: 'We are open 9 to 5.' }] } });

  async function visitorAsks(body: string, expectAnswer = true) {
    const visitor = await connectVisitor(server);
    const answered = expectAnswer ? next<MessageDTO>(visitor.socket, 'message:new', (m) => m.authorKind === 'agent') : null;
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body });
    return { visitor, sent, answered };
  }

  const history = async (conversationId: string) =>
    (await server.parley.store.conversations.history(conversationId, { limit: 50, includeNotes: false, afterSeq: 0 })).messages;

  it('a rule bot takes the new conversation, answers as itself, and records the turn', async () => {
    const bot = await hoursBot();
    const { sent, answered } = await visitorAsks('What are your hours?');
    const reply = await answered;
    expect(reply).toMatchObject({ body: 'We are open 9 to 5.', authorId: bot.agentId, authorName: 'Helper' });
    const conversation = await server.parley.store.conversations.findById(sent.conversation.id);
    expect(conversation!.assignee).toEqual({ id: bot.agentId, name: 'Helper', avatarUrl: null, bot: true });
    await expect.poll(() => server.parley.store.bots.hasTurn(sent.message.id)).toBe(true);
    // A bot's agent row never signs in.
    const bots = await server.parley.store.agents.findById(bot.agentId);
    expect(bots).toMatchObject({ role: 'bot', passwordHash: '' });
    closeAllSockets();
  });

  it('"Talk to a person" hands off at the visitor\'s place: ahead of later arrivals, with a system line, counted in reports', async () => {
    await hoursBot(1);
    const first = await visitorAsks('What are your hours?');
    await first.answered;
    const later = await visitorAsks('Hello?', false); // the bot is full: this one waits in the queue
    const laterConv = await server.parley.store.conversations.findById(later.sent.conversation.id);
    expect(laterConv).toMatchObject({ status: 'queued', assignee: null });

    const handed = await ok<ConversationDTO>(first.visitor.socket, 'conversation:handoff', { conversationId: first.sent.conversation.id });
    expect(handed).toMatchObject({ status: 'queued', assignee: null, queuedAt: first.sent.conversation.queuedAt });
    const again = await ask(first.visitor.socket, 'conversation:handoff', { conversationId: first.sent.conversation.id });
    expect(again).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const lines = await history(first.sent.conversation.id);
    expect(lines.at(-1)!.system).toMatchObject({ type: 'handed_off', reason: 'visitor-asked' });

    // The first person online gets the handed-off conversation first, the bot's part above.
    const agent = await connectAgent(server, await createAgent(server, `zoe-${backend}`, 1));
    await expect.poll(async () => (await server.parley.store.conversations.findById(first.sent.conversation.id))?.assignee?.id).toBe(agent.agentId);
    expect((await server.parley.store.conversations.findById(later.sent.conversation.id))?.status).toBe('queued');
    expect((await history(first.sent.conversation.id)).map((m) => m.authorKind)).toEqual(['visitor', 'system', 'agent', 'system', 'system']);

    // Reports count the handoff by its reason; the conversation is no longer the bot's.
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    const day = new Date().toISOString().slice(0, 10);
    const res = await fetch(`${server.url}/api/admin/reports?from=${day}&to=${day}&groupBy=day&tz=UTC&siteId=${server.site.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    const report = (await res.json()) as Report;
    expect(report.bots).toMatchObject({ heldByBot: 0, resolvedByBot: 0, handedOff: 1 });
    expect(report.bots.handoffsByReason.find((h) => h.reason === 'visitor-asked')?.count).toBe(1);
    closeAllSockets();
  });

  it('once handed off, the bot\'s reply is refused, even when racing the handoff', async () => {
    const bot = await hoursBot();
    // The bot's own API key (as a webhook bot answers): its sends go through the agent-send guard as the bot.
    const { key } = await createKey(server, { name: 'as the bot', scopes: ['conversations:write', 'conversations:read'], siteId: server.site.id, agentId: bot.agentId });
    for (let round = 0; round < 5; round++) {
      const { sent, answered } = await visitorAsks('hours please');
      await answered;
      const conversationId = sent.conversation.id;
      const botSend = (body: string) => api<SendResult>(server, key, 'POST', `/conversations/${conversationId}/messages`, { clientId: clientId(), body });
      const [handoff, racing] = await Promise.all([api(server, key, 'POST', `/conversations/${conversationId}/handoff`), botSend('racing reply')]);
      expect(handoff.status).toBe(200);
      const lines = await history(conversationId);
      const handoffSeq = lines.find((m) => m.system?.type === 'handed_off')!.seq;
      // Either the reply committed before the handoff, or it was refused: never a bot line after it.
      if (racing.status === 200) expect(racing.body.message.seq).toBeLessThan(handoffSeq);
      else expect([403, 404]).toContain(racing.status);
      expect(lines.filter((m) => m.seq > handoffSeq && m.authorId === bot.agentId)).toEqual([]);
      expect((await botSend('late reply')).status).toBe(404);
    }
    closeAllSockets();
  });

  it('an agent takes a conversation over from the bot; the bot answers no more', async () => {
    const bot = await hoursBot();
    const agent = await connectAgent(server, await createAgent(server, `ann-${backend}`, 2));
    const { visitor, sent, answered } = await visitorAsks('your hours?');
    await answered;
    const taken = await ok<ConversationDTO>(agent.socket, 'conversation:claim', { conversationId: sent.conversation.id });
    expect(taken.assignee).toMatchObject({ id: agent.agentId });
    const lines = await history(sent.conversation.id);
    expect(lines.at(-1)!.system).toMatchObject({ type: 'transferred', fromAgentId: bot.agentId, agentId: agent.agentId });
    const before = (await history(sent.conversation.id)).length;
    await ok<SendResult>(visitor.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'hours again?' });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a bot.turn would have run by now
    expect((await history(sent.conversation.id)).length).toBe(before + 1);
    closeAllSockets();
  });

  it('a bot for "no agent online" takes new conversations only while nobody is online', async () => {
    const bot = await createBot({ kind: 'rule', when: 'no-agent', config: { rules: [{ type: 'keyword', match: 'hours', answer: 'Nine to five.' }] } });
    const alone = await visitorAsks('hours?');
    expect((await alone.answered)!.authorId).toBe(bot.agentId);
    const agent = await connectAgent(server, await createAgent(server, `ben-${backend}`, 2));
    const staffed = await visitorAsks('hours?', false);
    await expect.poll(async () => (await server.parley.store.conversations.findById(staffed.sent.conversation.id))?.assignee?.id).toBe(agent.agentId);
    closeAllSockets();
  });

  it('partial text streams to the visitor as the bot typing', async () => {
    server.parley.bots.kinds.register('openai', () => ({
      async respond(input, { onPartial }) {
        onPartial('Thinking');
        await new Promise((resolve) => setTimeout(resolve, 200));
        return { kind: 'reply', text: `You said: ${input.latest}`, citations: [{ articleId: 'a1', title: 'Hours', url: 'https://help.example/hours' }], latencyMs: 200 };
      },
    }));
    await createBot({ kind: 'openai', name: 'Streamer', config: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } });
    const visitor = await connectVisitor(server);
    const typing = next<{ typing: boolean; name?: string }>(visitor.socket, 'typing', (e) => e.typing);
    const answered = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.authorKind === 'agent');
    await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hello <b>bot</b>' });
    expect(await typing).toMatchObject({ typing: true, name: 'Streamer' });
    // Stored as a plain message body: clients render it with the same safe renderer as any message.
    expect((await answered).body).toBe('You said: hello <b>bot</b>\n\n- [Hours](https://help.example/hours)');
    closeAllSockets();
  });

  it('the admin API creates, edits, disables and deletes a bot; disabling gives its conversations back to the queue', async () => {
    const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${server.url}/api/admin/sites/${server.site.id}/bots${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
    const created = await admin('POST', '', { name: 'Desk', kind: 'rule', config: { rules: [{ type: 'keyword', match: 'hours', answer: 'Nine to five.' }] } });
    expect(created.status).toBe(201);
    const bot = (await created.json()) as BotDTO;
    expect((await admin('POST', '', { name: 'Bad', kind: 'rule', config: { rules: [{ type: 'regex', match: '(a+)+', answer: 'x' }] } })).status).toBe(400);

    const { sent, answered } = await visitorAsks('hours?');
    await answered;
    const edited = await admin('PATCH', `/${bot.id}`, { name: 'Front desk', config: { rules: [], awayMessage: 'Closed now.' } });
    expect(await edited.json()).toMatchObject({ name: 'Front desk', config: { rules: [], awayMessage: 'Closed now.' } });
    expect((await admin('PATCH', `/${bot.id}`, { enabled: false })).status).toBe(200);
    await expect.poll(async () => (await server.parley.store.conversations.findById(sent.conversation.id))?.status).toBe('queued');

    await useNewSite(server);
    expect((await admin('DELETE', `/${bot.id}`)).status).toBe(404); // another site's bot is not found
    server.site = (await server.parley.store.sites.findById(bot.siteId))!;
    expect((await admin('DELETE', `/${bot.id}`)).status).toBe(204);
    expect(await (await admin('GET', '')).json()).toEqual([]);
    closeAllSockets();
  });

  it.each([
    { name: 'stalls past its timeout', reason: 'timeout', responder: { respond: () => new Promise(() => {}) } satisfies BotResponder },
    { name: 'throws', reason: 'error', responder: { respond: () => Promise.reject(new Error('model exploded')) } satisfies BotResponder },
  ])('a bot whose responder $name hands off by itself', async ({ reason, responder }) => {
    server.parley.bots.kinds.register('openai', () => responder);
    await createBot({ kind: 'openai', timeoutMs: 1000, config: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } });
    const started = Date.now();
    const { sent } = await visitorAsks('anything', false);
    await expect
      .poll(async () => (await history(sent.conversation.id)).find((m) => m.system?.type === 'handed_off')?.system, { timeout: 5000 })
      .toMatchObject({ type: 'handed_off', reason });
    if (reason === 'timeout') expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect((await server.parley.store.conversations.findById(sent.conversation.id))?.status).toBe('queued');
    closeAllSockets();
  });
});
