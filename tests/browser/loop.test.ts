/**
 * The whole loop in a real browser: a visitor writes through the widget on the demo page, an agent
 * answers from the console; both keep the conversation across reloads and connection drops.
 * Needs `npm run build` (npm test runs it) and Chromium at /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.ts';
import { launchChromium } from '../support/chromium.ts';
import { send, sendUnconfirmed } from './widget-harness.ts';

const ADMIN = { email: 'admin@example.com', password: 'browser-loop-password' };

let server: SpawnedServer | undefined;
let browser: Browser | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(new URL('../../dist/widget/widget.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build`');
  [server, browser] = await Promise.all([
    spawnServer({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password } }),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A page, by default in a context of its own (own cookies and storage), that records uncaught errors. */
async function openPage(path: string, context?: BrowserContext): Promise<Page> {
  context ??= await browser!.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
  await page.goto(`${server!.url}${path}`);
  return page;
}

/** The visitor on the demo page, with the chat panel open. */
async function openWidget(context?: BrowserContext): Promise<{ visitor: Page; chat: FrameLocator }> {
  const visitor = await openPage('/', context);
  await visitor.getByRole('button', { name: 'Open chat' }).click();
  return { visitor, chat: visitor.frameLocator('parley-widget iframe') };
}

/** The admin, signed in to the console first: with an agent online the widget takes messages without an email. */
async function signIn(): Promise<Page> {
  const agent = await openPage('/console/');
  await agent.getByLabel('Email').fill(ADMIN.email);
  await agent.getByLabel('Password').fill(ADMIN.password);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByRole('navigation', { name: 'Conversations' }).waitFor();
  return agent;
}

/** The only open conversation, selected and assigned to the admin. */
async function openConversation(agent: Page): Promise<void> {
  // Named after its anonymous visitor. It is in Queue, or already in Mine: the admin is online, so
  // routing usually assigns it at once.
  const conversations = agent.getByRole('navigation', { name: 'Conversations' });
  await conversations.getByRole('button', { name: /^Visitor / }).click();
  const claim = agent.getByRole('button', { name: 'Claim' });
  if (await claim.isVisible()) await claim.click();
  await conversations.getByRole('region', { name: /Mine/ }).getByRole('button', { name: /^Visitor / }).waitFor();
}

async function reply(agent: Page, text: string): Promise<void> {
  await agent.getByLabel('Reply').fill(text);
  await agent.getByRole('button', { name: 'Send' }).click();
}

test('visitor and agent chat through widget and console, and both keep the history after reloading', async () => {
  const agent = await signIn();
  const { visitor, chat } = await openWidget();
  await send(chat, 'Hello from the widget');
  await chat.getByRole('log').getByText('Hello from the widget').waitFor();
  await chat.getByText('Sent').waitFor();

  await openConversation(agent);
  await agent.getByRole('log').getByText('Hello from the widget').waitFor();
  await reply(agent, 'Hi, how can I help?');
  await chat.getByRole('log').getByText('Hi, how can I help?').waitFor();

  await visitor.reload();
  await visitor.getByRole('button', { name: /Open chat/ }).click();
  await chat.getByRole('log').getByText('Hello from the widget').waitFor();
  await chat.getByRole('log').getByText('Hi, how can I help?').waitFor();

  await agent.reload();
  // The refresh cookie resumes the session: the inbox, not the login form.
  await agent.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: /^Visitor / }).click();
  await agent.getByRole('log').getByText('Hello from the widget').waitFor();
  await agent.getByRole('log').getByText('Hi, how can I help?').waitFor();
  expect(await agent.getByLabel('Password').count()).toBe(0);

  // Resolved, it leaves the agent's views, so the next test finds only its own conversation.
  await agent.getByRole('button', { name: 'Resolve' }).click();
  await chat.getByRole('log').getByText('The conversation was closed').waitFor();
  expect(pageErrors).toEqual([]);
});

/**
 * Holds the server's answers to the visitor's `conversation:list` for a moment, so that after a
 * reconnect the answer to a message sent offline comes first: the order in which a client that
 * catches up from "the highest seq it holds" skips the messages it missed.
 */
async function delayConversationLists(context: BrowserContext): Promise<void> {
  await context.routeWebSocket(/\/socket\.io\//, (socket) => {
    socket.connectToServer().onMessage((frame) => {
      const isListAnswer = typeof frame === 'string' && /^43\/visitor,\d+\[\{"ok":true,"data":\[/.test(frame);
      setTimeout(() => socket.send(frame), isListAnswer ? 300 : 0);
    });
  });
}

test('after a dropped connection, each side gets what it missed, exactly once', async () => {
  const context = await browser!.newContext({ locale: 'en-US' });
  await delayConversationLists(context);
  const agent = await signIn();
  const { chat } = await openWidget(context);
  await send(chat, 'Hello again');
  await openConversation(agent);

  await context.setOffline(true);
  await chat.getByRole('status').getByText('Reconnecting…').waitFor();
  await reply(agent, 'Sent while you were away');
  await sendUnconfirmed(chat, 'Typed while offline');
  await context.setOffline(false);

  await chat.getByRole('log').getByText('Sent while you were away').waitFor();
  await agent.getByRole('log').getByText('Typed while offline').waitFor();
  expect(await chat.getByRole('log').getByText('Sent while you were away').count()).toBe(1);
  expect(await chat.getByRole('log').getByText('Typed while offline').count()).toBe(1);
  expect(await agent.getByRole('log').getByText('Typed while offline').count()).toBe(1);
  expect(pageErrors).toEqual([]);
});
