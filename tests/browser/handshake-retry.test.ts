/**
 * A handshake refused for now, here because the database failed the lookup it needs (three times in a row),
 * leaves neither the widget nor the console down for good: each says it is reconnecting, tries again after a
 * pause (handshake-retry.ts) and then works. Refused for good, they would say "unavailable" and stop.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { launchChromium } from '../support/chromium.ts';
import { closeAllSockets, connectAgent, connectVisitor, createAgent, ok, startServer, visitorSession, type TestServer } from '../support/parley.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';

const HOST_ORIGIN = 'http://shop.test';
const REFUSALS = 3;

let server: TestServer;
let browser: Browser;

/** Makes the next `count` calls of the store's `method` fail as a database would; resolves how many failed so far. */
function failNext<T extends object, K extends keyof T>(target: T, method: K, count: number): () => number {
  const original = target[method] as (...args: unknown[]) => Promise<unknown>;
  let failed = 0;
  target[method] = (async (...args: unknown[]) => {
    if (failed < count) {
      failed++;
      throw new Error('SQLITE_IOERR: disk I/O error (injected by the test)');
    }
    return original.apply(target, args);
  }) as T[K];
  return () => failed;
}

/** Polls `read` until it has seen every text of `expected` in turn (the last one may stay). */
async function expectSequence(read: () => Promise<string>, expected: (string | RegExp)[], timeoutMs = 30_000): Promise<void> {
  const seen: string[] = [];
  const giveUpAt = Date.now() + timeoutMs;
  let next = 0;
  while (next < expected.length && Date.now() < giveUpAt) {
    const text = (await read()).trim();
    if (seen.at(-1) !== text) seen.push(text);
    const want = expected[next]!;
    if (typeof want === 'string' ? text === want : want.test(text)) next++;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(next, `saw ${JSON.stringify(seen)}`).toBe(expected.length);
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  await context.route(`${HOST_ORIGIN}/**`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1>
<script async src="${server.url}/widget.js" data-site="${server.site.publicKey}"></script></body></html>`,
    }),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchChromium()]);
  server.site = await server.parley.admin.createSite({ name: 'Shop', origins: [HOST_ORIGIN] });
});

afterAll(async () => {
  closeAllSockets();
  await browser?.close();
  await server?.close();
});

test('the widget reconnects after its handshake was refused for now, and its message gets through', async () => {
  const { socket: agent } = await connectAgent(server, await createAgent(server, 'ada', 10));
  await ok(agent, 'agent:setStatus', { status: 'online' });
  const refused = failNext(server.parley.store.visitors, 'findById', REFUSALS);

  const page = await newPage();
  await page.goto(`${HOST_ORIGIN}/`);
  await page.getByRole('button', { name: /^Open chat/ }).click();
  const chat = page.frameLocator('parley-widget iframe');
  await expectSequence(() => chat.getByRole('status').innerText(), ['Reconnecting…', '']);
  expect(refused()).toBe(REFUSALS);

  const delivered = nextAgentHeard(agent, (m) => m.body === 'Still there?', 15_000);
  await chat.getByRole('textbox', { name: 'Message' }).fill('Still there?');
  await chat.getByRole('textbox', { name: 'Message' }).press('Enter');
  expect((await delivered).authorKind).toBe('visitor');
  closeAllSockets(); // Ada goes offline: the next conversation is for the console's agent.
});

test('the console reconnects after its handshake was refused for now, and its agent gets the next conversation live', async () => {
  // Written to the database behind this process's back, as the CLI does: the handshake has to look the agent up.
  const credentials = { email: 'grace@example.com', password: 'grace-password' };
  await server.parley.store.agents.create({
    email: credentials.email,
    passwordHash: await hashPassword(credentials.password),
    name: 'Grace',
    role: 'agent',
    capacity: 5,
    siteIds: [server.site.id],
  });
  const refused = failNext(server.parley.store.agents, 'findById', REFUSALS);

  const page = await newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const connection = page.locator('p.connection');
  await expectSequence(() => connection.innerText(), ['Reconnecting…', '']);
  expect(refused()).toBe(REFUSALS);

  const { token } = await visitorSession(server, HOST_ORIGIN);
  const { socket: visitor } = await connectVisitor(server, { token, origin: HOST_ORIGIN });
  const sent = await ok<SendResult>(visitor, 'message:send', { clientId: crypto.randomUUID(), body: 'Anyone?' });
  await page.locator(`#view-panel [data-conversation-id="${sent.conversation.id}"]`).waitFor();
});
