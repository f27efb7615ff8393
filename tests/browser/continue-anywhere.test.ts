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
import { startSmtpRelay, type SmtpRelay } from '../support/smtp-relay.ts';
import { expectAccessible } from './axe.ts';
import { clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, next, ok, startServer, type TestServer } from '../support/parley.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';

let server: TestServer;
let browser: Browser;
/** The relay Parley sends through; it keeps what it received. */
let relay: SmtpRelay;

beforeAll(async () => {
  relay = await startSmtpRelay();
  const smtp = `smtp://127.0.0.1:${relay.port}`;
  [server, browser] = await Promise.all([startServer({ SMTP_URL: smtp, MAIL_FROM: 'support@shop.example.com' }), launchChromium()]);
});

afterAll(async () => {
  closeAllSockets();
  await browser?.close();
  await server?.close();
  await relay?.close();
});

test('a continue link shows the conversation in a fresh browser, and what the visitor sends there reaches the agent', async () => {
  const agent = await connectAgent(server, await createAgent(server, 'iris'));
  const visitor = await connectVisitor(server);
  const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
  const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Is the blue vase back in stock?' });
  await assigned;
  await ok<SendResult>(agent.socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: 'It is, since this morning.' });
  visitor.socket.disconnect();

  const token = server.parley.email.tokens.issue('continue', first.conversation.id);
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
  await expectAccessible(page, 'the continue page');

  const agentSees = nextAgentHeard(agent.socket, (m) => m.authorKind === 'visitor' && m.body === 'Great, I will order it from my phone.');
  await page.getByRole('textbox', { name: 'Message' }).fill('Great, I will order it from my phone.');
  await page.getByRole('button', { name: 'Send' }).click();
  const seen = await agentSees;
  expect(seen.conversationId).toBe(first.conversation.id);
  await context.close();
});

test('on a resolved conversation, the visitor whose email is known has it emailed to them', async () => {
  const agent = await connectAgent(server, await createAgent(server, 'kim'));
  const visitor = await connectVisitor(server);
  await ok(visitor.socket, 'visitor:update', { email: 'ada@example.org' });
  const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
  const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Please keep a copy of this for me.' });
  await assigned;
  await ok(agent.socket, 'conversation:resolve', { conversationId: first.conversation.id });
  visitor.socket.disconnect();

  const context = await browser.newContext({ locale: 'ar' });
  const page = await context.newPage();
  await page.goto(`${server.url}/c/${server.parley.email.tokens.issue('continue', first.conversation.id)}`);
  const emailMe = page.getByRole('button', { name: 'أرسل لي هذه المحادثة بالبريد الإلكتروني' });
  await emailMe.waitFor();
  expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
  await emailMe.click();
  await page.getByRole('status').filter({ hasText: 'ada@example.org' }).waitFor();
  await expectAccessible(page, 'the resolved panel with the email button, in Arabic');
  for (let i = 0; i < 100 && relay.received.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(relay.received).toHaveLength(1);
  expect(relay.received[0]).toContain('To: ada@example.org');
  expect(relay.received[0]).toContain('Please keep a copy of this for me.');
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
