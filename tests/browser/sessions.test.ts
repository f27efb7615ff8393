/**
 * Sessions the server ends, seen from Chromium: the console outlives its access token's expiry without a
 * word to the agent, the widget goes on with a new session after the site's visitor key is rotated, and an
 * admin rotates it from the console.
 * Needs `npm run build` and Chromium at /usr/bin/chromium.
 */
import { expect, test } from 'vitest';
import type { ConversationDTO, MessageDTO } from '../../server/contract/dto.ts';
import type { ApiError } from '../../server/contract/errors.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { ADMIN, api, createAgent, login, ok, openSection, openWidget, signIn, socketAgent, socketVisitor, useConsoleEnv } from './console-support.ts';
import { send as widgetSend } from './widget-harness.ts';
import { onAgentMessage } from '../support/agent-messages.ts';
import { HEARD_WITHIN_MS, nextEvent } from '../support/socket-waits.ts';

// The shortest access token the configuration allows: the server closes the console's connection at its expiry.
const { env, sockets } = useConsoleEnv({ ACCESS_TOKEN_TTL_S: '30' });

/** Counts the WebSockets the page opens: a second one means the console connected again. */
const COUNT_WEBSOCKETS = `
  window.__websockets = 0;
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) { super(...args); window.__websockets++; }
  };
`;

test('the console connects again by itself when its access token expires, and the agent sees no error', async () => {
  const ida = await createAgent(env(), 'Ida');
  const context = await env().browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  await context.addInitScript(COUNT_WEBSOCKETS);
  const page = await signIn(env(), ida, { context });
  // The server closes the connection when the token it was opened with expires (30 s); the console has
  // refreshed its token meanwhile and connects again with it.
  await page.waitForFunction(() => (window as unknown as { __websockets: number }).__websockets >= 2, undefined, { timeout: 60_000 });

  const visitor = await socketVisitor(env());
  sockets.push(visitor.socket);
  const assigned = nextEvent<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active', HEARD_WITHIN_MS);
  await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Still there?' });
  expect((await assigned).assignee?.name).toBe('Ida');
  const mine = page.getByRole('navigation', { name: 'Conversations' }).getByRole('region', { name: /Mine/ });
  await mine.getByRole('button', { name: /Still there\?/ }).click();
  const replied = nextEvent<MessageDTO>(visitor.socket, 'message:new', (m) => m.authorKind === 'agent', HEARD_WITHIN_MS);
  await page.getByLabel('Reply', { exact: true }).fill('Yes, right here.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  expect((await replied).body).toBe('Yes, right here.');

  await expect.poll(() => page.getByText('The server refused this session').count()).toBe(0);
  expect(await page.getByText('Reconnecting…').count()).toBe(0);
  expect(env().pageErrors).toEqual([]);
  await context.close();
}, 120_000);

test("after the site's visitor key is rotated, the widget starts a new session and its messages get through", async () => {
  // The admin answers for every site: the agent's side of the widget's messages.
  const agent = await socketAgent(env(), ADMIN);
  sockets.push(agent);
  const heard: MessageDTO[] = [];
  onAgentMessage(agent, (message) => heard.push(message));

  const { visitor, chat } = await openWidget(env());
  const storedToken = () => visitor.evaluate((key) => localStorage.getItem(`parley:${key}:token`), env().site.publicKey);
  await widgetSend(chat, 'Before the rotation');
  await expect.poll(() => heard.find((m) => m.body === 'Before the rotation'), { timeout: 15_000 }).toBeTruthy();
  const before = await storedToken();

  // A fresh token: this file's access tokens last 30 s.
  const { accessToken } = await login(env().server.url, ADMIN.email, ADMIN.password);
  await api(env().server.url, accessToken, 'POST', `/sites/${env().site.id}/rotate-visitor-key`);
  // The loader renews the session with its stored copy of the old token, which now starts a new visitor.
  await expect.poll(storedToken, { timeout: 15_000 }).not.toBe(before);
  await widgetSend(chat, 'After the rotation');
  await expect.poll(() => heard.find((m) => m.body === 'After the rotation'), { timeout: 15_000 }).toBeTruthy();
  const first = heard.find((m) => m.body === 'Before the rotation')!;
  const second = heard.find((m) => m.body === 'After the rotation')!;
  expect(second.conversationId).not.toBe(first.conversationId);
  await expect.poll(() => chat.getByText('Failed').count()).toBe(0);
  expect(env().pageErrors).toEqual([]);
}, 60_000);

test("an admin signs out every visitor of a site from the site's settings", async () => {
  const visitor = await socketVisitor(env());
  sockets.push(visitor.socket);
  const told = nextEvent<ApiError>(visitor.socket, 'session:ended', undefined, HEARD_WITHIN_MS);
  const page = await signIn(env(), ADMIN);
  await openSection(page, 'Sites');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Sign out all visitors' }).click();
  await page.getByText('Visitor key rotated: every visitor starts a new session.').waitFor();
  expect(await told).toEqual({ code: 'UNAUTHORIZED', message: "The site's visitor key was rotated" });
  expect(env().pageErrors).toEqual([]);
});
