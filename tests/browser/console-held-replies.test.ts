/**
 * A reply from an address other than the visitor's waits in the console, in the conversation, until an agent
 * accepts it as the visitor's message or discards it. Needs `npm run build`.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { SendResult } from '../../server/contract/events.ts';
import { launchChromium } from '../support/chromium.ts';
import { expectAccessible } from './axe.ts';
import { compose, INBOUND_SECRET, postInbound, REPLY_DOMAIN } from '../support/inbound-email.ts';
import { ADMIN, clientId, closeAllSockets, connectVisitor, ok, startServer, type TestServer } from '../support/parley.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ MAIL_REPLY_DOMAIN: REPLY_DOMAIN, INBOUND_EMAIL_SECRET: INBOUND_SECRET }), launchChromium()]);
});

afterAll(async () => {
  closeAllSockets();
  await browser?.close();
  await server?.close();
});

test('an agent accepts one held email reply as the visitor\'s message and discards another', async () => {
  const visitor = await connectVisitor(server);
  await ok(visitor.socket, 'visitor:update', { email: 'ada@example.org' });
  const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Can someone call me back?' });
  const to = server.parley.email.tokens.replyAddress(first.conversation.id, REPLY_DOMAIN);
  for (const [from, text] of [['colleague@example.org', 'Ada asked me to add: the number is 555-0100.'], ['spam@example.net', 'Cheap watches']]) {
    const res = await postInbound(server.url, await compose({ from, to, subject: 'Re', text }));
    expect(await res.json()).toMatchObject({ status: 'held' });
  }

  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const nav = page.getByRole('navigation', { name: 'Conversations' });
  // The admin coming online is assigned the waiting conversation at once.
  await nav.getByRole('region', { name: /Mine/ }).getByRole('button', { name: /ada@example.org/ }).click();

  const held = page.getByRole('region', { name: 'Email replies waiting for you' });
  await held.getByText('From colleague@example.org, not the visitor\'s known address').waitFor();
  await expectAccessible(page, 'held email replies', '.held-replies');
  const colleague = held.getByRole('listitem').filter({ hasText: 'colleague@example.org' });
  await colleague.getByRole('button', { name: 'Accept as visitor message' }).click();
  await page.getByRole('log').getByText('Ada asked me to add: the number is 555-0100.').waitFor();
  await held.getByRole('listitem').filter({ hasText: 'spam@example.net' }).getByRole('button', { name: 'Discard' }).click();
  await held.waitFor({ state: 'detached' });
  expect(await page.getByRole('log').getByText('Cheap watches').count()).toBe(0);
  await context.close();
});
