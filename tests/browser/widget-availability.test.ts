/**
 * Who can answer, and what the visitor is told: the offline form when nobody is online or the site is
 * closed, the queue position while waiting, and the unread badge, sound and page title while the
 * panel is closed.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ConversationSummaryDTO } from '../../server/contract/dto.ts';
import { startSmtpRelay, type SmtpRelay } from '../support/smtp-relay.ts';
import { eventually, frameOf, launcher, openChat, send, WidgetHarness } from './widget-harness.ts';

let h: WidgetHarness;
let relay: SmtpRelay;

beforeAll(async () => {
  relay = await startSmtpRelay();
  h = await WidgetHarness.start({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, MAIL_FROM: 'Shop <support@shop.example>' });
});

afterAll(async () => {
  await h?.stop();
  await relay?.close();
});

test('nobody online, email on: the widget says so and takes a message only with an email to reply to', async () => {
  const site = await h.createSite();
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  await chat.getByText('No one is available to chat right now.').waitFor();
  await chat.getByText('Leave a message with your email address and we will reply by email.', { exact: false }).waitFor();

  // Without an email, nothing is sent.
  await chat.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Norway?');
  await chat.getByRole('button', { name: 'Send' }).click();
  expect(await chat.getByRole('textbox', { name: 'Email' }).evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
  expect(await chat.getByRole('log').getByText('Do you ship to Norway?').count()).toBe(0);

  await chat.getByRole('textbox', { name: 'Email' }).fill('ola@example.no');
  await chat.getByRole('button', { name: 'Send' }).click();
  await chat.getByRole('log').locator('li.mine', { hasText: 'Do you ship to Norway?' }).getByText('Sent').waitFor();
  await chat.getByText('We will reply to ola@example.no.').waitFor();

  // The agent who comes back finds the message with the address to answer.
  const agent = await h.connectAgent('Gina', site);
  const queue = await agent.command<ConversationSummaryDTO[]>('conversation:list', { view: 'all' });
  expect(queue.map((c) => c.visitor.email)).toEqual(['ola@example.no']);
  expect(h.pageErrors).toEqual([]);
});

test('nobody online, email off (no SMTP_URL): the widget promises no email and the address is optional', async () => {
  const off = await WidgetHarness.start();
  try {
    const site = await off.createSite();
    const chat = await openChat(await off.openShop(await off.newContext({ site })));
    await chat.getByText('Leave a message and the team will see it when they are back.', { exact: false }).waitFor();
    expect(await chat.getByText('reply by email', { exact: false }).count()).toBe(0);
    await chat.getByRole('textbox', { name: 'Email (optional)' }).waitFor();
    await chat.getByRole('textbox', { name: 'Message' }).fill('Do you ship to Norway?');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByRole('log').locator('li.mine', { hasText: 'Do you ship to Norway?' }).getByText('Sent').waitFor();
    expect(off.pageErrors).toEqual([]);
  } finally {
    await off.stop();
  }
});

test('outside business hours the site is closed, even with an agent online', async () => {
  const site = await h.createSite({ widgetSettings: { businessHours: { enabled: true, timezone: 'UTC', days: {} } } });
  await h.connectAgent('Hank', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  await chat.getByText('We are closed right now.', { exact: false }).waitFor();
  await chat.getByRole('textbox', { name: 'Email' }).waitFor();
});

test('while queued, the visitor sees their position, updated live', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Ivy', site, { capacity: 1 });
  const visitors: Page[] = [];
  for (const text of ['First in line', 'Second in line', 'Third in line']) {
    const page = await h.openShop(await h.newContext({ site }));
    await send(await openChat(page), text);
    visitors.push(page);
  }
  const [first, second, third] = visitors.map((page) => page.frameLocator('parley-widget iframe'));
  await first!.getByText('Ivy joined the conversation').waitFor();
  await second!.getByRole('status').getByText(/You are number 1 in the queue\./).waitFor();
  await third!.getByRole('status').getByText(/You are number 2 in the queue\./).waitFor();

  // The agent frees up: the second visitor is assigned, the third moves up.
  const [active] = await agent.command<ConversationSummaryDTO[]>('conversation:list', { view: 'mine' });
  await agent.command('conversation:resolve', { conversationId: active!.id });
  await second!.getByText('Ivy joined the conversation').waitFor();
  await third!.getByRole('status').getByText(/You are number 1 in the queue\./).waitFor();
  expect(h.pageErrors).toEqual([]);
});

/** Counts the chimes the frame starts (each makes one gain node), without needing real audio. */
async function countChimes(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    if (!location.pathname.startsWith('/frame/')) return;
    const counted = window as unknown as { chimes: number };
    counted.chimes = 0;
    const createGain = BaseAudioContext.prototype.createGain;
    BaseAudioContext.prototype.createGain = function (this: BaseAudioContext) {
      counted.chimes++;
      return createGain.call(this);
    };
  });
}

async function setPageHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('panel closed: unread badge, a sound unless muted (remembered), the page title while hidden', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Jack', site);
  const context = await h.newContext({ site });
  await countChimes(context);
  const page = await h.openShop(context);
  let chat = await openChat(page);
  const arrived = agent.messageFromVisitor('Hello?');
  await send(chat, 'Hello?');
  const { conversationId } = await arrived;
  await launcher(page).click();
  const chimes = async (): Promise<number> => (await frameOf(page, h.server.url)).evaluate(() => (window as unknown as { chimes: number }).chimes);

  const say = (body: string) => agent.command('message:send', { conversationId, clientId: crypto.randomUUID(), body });
  await say('Hi there');
  await page.getByRole('button', { name: 'Open chat, 1 unread' }).waitFor();
  expect(await page.locator('parley-widget').evaluate((el) => el.shadowRoot!.querySelector('span')!.textContent)).toBe('1');
  await eventually(chimes).toBe(1);

  // Tab hidden: the page title carries the count, and gets its own title back when shown.
  await setPageHidden(page, true);
  await say('Are you still there?');
  await page.getByRole('button', { name: 'Open chat, 2 unread' }).waitFor();
  await eventually(() => page.title()).toBe('(2) Shop /');
  await setPageHidden(page, false);
  await eventually(() => page.title()).toBe('Shop /');

  // Opening reads them; muting stops the sound, and the choice survives a reload.
  chat = await openChat(page);
  await chat.getByRole('button', { name: 'Mute sounds', pressed: false }).click();
  await chat.getByRole('button', { name: 'Mute sounds', pressed: true }).waitFor();
  await launcher(page).click();
  await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
  await say('One more thing');
  await page.getByRole('button', { name: 'Open chat, 1 unread' }).waitFor();
  expect(await chimes()).toBe(2);

  await page.reload();
  // Unread survives the reload too: it comes from the server's read mark, not from this page.
  await page.getByRole('button', { name: 'Open chat, 1 unread' }).waitFor();
  chat = await openChat(page);
  await chat.getByRole('button', { name: 'Mute sounds', pressed: true }).waitFor();
  expect(h.pageErrors).toEqual([]);
});
