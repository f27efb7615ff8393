/**
 * "Continue anywhere": the link of an email opened in a fresh browser (another device, no stored session) shows the
 * visitor's conversation full-window; what the visitor sends there reaches the agent. A forged link gets a page
 * saying so. Needs `npm run build`.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { launchChromium } from '../support/chromium.ts';
import { clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, next, nextAgentMessage, ok, startServer, type TestServer } from '../support/parley.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
});

afterAll(async () => {
  closeAllSockets();
  await browser?.close();
  await server?.close();
});

test('a continue link shows the conversation in a fresh browser, and what the visitor sends there reaches the agent', async () => {
  const agent = await connectAgent(server, await createAgent(server, 'iris'));
  const visitor = await connectVisitor(server);
  const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
  const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Is the blue vase back in stock?' });
  await assigned;
  await ok<SendResult>(agent.socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: 'It is, since this morning.' });
  visitor.socket.disconnect();

  const token = server.parley.emailTokens.issue('continue', first.conversation.id);
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const response = await page.goto(`${server.url}/c/${token}`);
  expect(response!.status()).toBe(200);
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['referrer-policy']).toBe('no-referrer');

  const log = page.getByRole('log');
  await log.getByText('Is the blue vase back in stock?').waitFor();
  await log.getByText('It is, since this morning.').waitFor();
  expect(await page.getByRole('button', { name: 'Close chat' }).count()).toBe(0);

  const agentSees = nextAgentMessage(agent.socket, (m) => m.authorKind === 'visitor' && m.body === 'Great, I will order it from my phone.');
  await page.getByRole('textbox', { name: 'Message' }).fill('Great, I will order it from my phone.');
  await page.getByRole('button', { name: 'Send' }).click();
  const seen = await agentSees;
  expect(seen.conversationId).toBe(first.conversation.id);
  await context.close();
});

test('a forged or expired continue link gets a page that says so, and no session', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const forged = await page.goto(`${server.url}/c/${'0'.repeat(56)}`);
  expect(forged!.status()).toBe(404);
  await page.getByText('此链接已过期或无效').waitFor();
  const exchange = await fetch(`${server.url}/api/continue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: '0'.repeat(56) }) });
  expect(exchange.status).toBe(401);
  await context.close();
});
