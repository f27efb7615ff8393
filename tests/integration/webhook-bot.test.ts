/** examples/webhook-bot.mjs, run as its own process against a live Parley: it answers hours questions and hands off the rest. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { Webhook } from 'standardwebhooks';
import { startReceiver } from '../support/webhook-receiver.ts';
import { ADMIN, backends, clientId, closeAllSockets, connectVisitor, next, ok, startServer, useNewSite, type TestServer } from '../support/parley.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const children: ChildProcess[] = [];
afterAll(() => children.forEach((child) => child.kill()));

async function runExampleBot(env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, ['examples/webhook-bot.mjs'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`example bot exited with ${code}`)));
  });
}

describe.each(backends)('the example webhook bot on %s', (backend) => {
  let server: TestServer;
  // The example bot listens on 127.0.0.1, which bot webhooks reach only with WEBHOOK_ALLOW_PRIVATE (as webhooks).
  beforeAll(async () => void (server = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true' }, backend)));
  afterAll(() => server?.close());

  it('answers an hours question through the API and hands anything else off', async () => {
    const port = await freePort();
    const admin = await server.parley.store.agents.findByEmail(ADMIN.email);
    const bot = await server.parley.bots.service.create(server.site.id, { name: 'Hours bot', kind: 'webhook', config: { url: `http://127.0.0.1:${port}/turn` } }, admin!.id);
    await runExampleBot({ PARLEY_URL: server.url, PARLEY_API_KEY: bot.apiKey!, BOT_SECRET: bot.secret!, PORT: String(port) });

    const visitor = await connectVisitor(server);
    const answered = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.authorKind === 'agent', 10_000);
    const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'When are you open?' });
    expect(await answered).toMatchObject({ body: 'We are open Monday to Friday, 9:00 to 17:00.', authorId: bot.agentId, authorName: 'Hours bot' });

    const handedOff = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.system?.type === 'handed_off', 10_000);
    await ok<SendResult>(visitor.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: 'I want a refund' });
    expect((await handedOff).system).toEqual({ type: 'handed_off', fromAgentId: bot.agentId, reason: 'bot-asked' });
    expect(await server.parley.store.conversations.findById(sent.conversation.id)).toMatchObject({ status: 'queued', assignee: null });

    // Its key reaches only what the bot holds: the conversation it handed off is gone from its view.
    const res = await fetch(`${server.url}/api/v1/conversations/${sent.conversation.id}/messages`, { headers: { authorization: `Bearer ${bot.apiKey}` } });
    expect(res.status).toBe(404);
    closeAllSockets();
  }, 30_000);

  it('a webhook bot that takes the event but never answers hands off when its timeout passes', async () => {
    await useNewSite(server); // a site of its own: the example bot of the test above answers the other one
    const receiver = await startReceiver();
    const admin = await server.parley.store.agents.findByEmail(ADMIN.email);
    const bot = await server.parley.bots.service.create(server.site.id, { name: 'Silent bot', kind: 'webhook', timeoutMs: 1000, config: { url: receiver.url } }, admin!.id);
    const visitor = await connectVisitor(server);
    const handedOff = next<MessageDTO>(visitor.socket, 'message:new', (m) => m.system?.type === 'handed_off', 10_000);
    await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Anyone?' });
    expect((await handedOff).system).toEqual({ type: 'handed_off', fromAgentId: bot.agentId, reason: 'timeout' });
    // What the bot got: this conversation's turn, signed with its secret.
    const [delivery] = receiver.received;
    const event = new Webhook(bot.secret!).verify(delivery!.body, delivery!.headers) as { type: string; data: { latest: string; transcript: unknown[] } };
    expect(event).toMatchObject({ type: 'bot.turn', data: { latest: 'Anyone?', transcript: [{ author: 'visitor', text: 'Anyone?' }] } });
    await receiver.close();
    closeAllSockets();
  }, 30_000);
});
