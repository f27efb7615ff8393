/**
 * The agent console in Chromium, against the real server: the queue, claiming, replying to the widget,
 * private notes, canned responses, transfers between two agents, deactivation, and reports.
 * Needs `npm run build` (npm test runs it) and Chromium at /usr/bin/chromium.
 */
import { readFile } from 'node:fs/promises';
import type { FrameLocator, Page } from 'playwright-core';
import { beforeAll, expect, test } from 'vitest';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import {
  ADMIN, api, createAgent, ok, openSection, openWidget, setStatus, signIn, socketVisitor, useConsoleEnv,
} from './console-support.ts';
import { send as widgetSend } from './widget-harness.ts';
import { HEARD_WITHIN_MS, nextEvent } from '../support/socket-waits.ts';

const { env } = useConsoleEnv();
let alice: { email: string; password: string; id: string };
let bob: { email: string; password: string; id: string };
let alicePage: Page;
let bobPage: Page;
let adminPage: Page;
let chat: FrameLocator;

beforeAll(async () => {
  alice = await createAgent(env(), 'Alice');
  bob = await createAgent(env(), 'Bob');
  await api(env().server.url, env().adminToken, 'POST', '/canned', {
    siteId: null,
    shortcut: 'thanks',
    title: 'Thank you',
    body: 'Thanks for **waiting**, we are on it!',
  });
});

const nav = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

test('sign in, claim from the queue, reply into the widget, a private note the visitor never gets, a canned response via /', async () => {
  alicePage = await signIn(env(), alice);
  // Away: nothing is assigned automatically, so a new conversation waits in the queue.
  await setStatus(alicePage, 'Away');
  const early = await socketVisitor(env());
  await ok<SendResult>(early.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Waiting in line' });

  const queue = nav(alicePage).getByRole('region', { name: /Queue/ });
  const waiting = queue.getByRole('button', { name: /^Visitor / });
  await waiting.waitFor();
  // The wait is shown live; the title tells how many need attention; a chime sounded.
  await expect.poll(() => waiting.locator('.wait').textContent(), { timeout: 10_000 }).toMatch(/^\d+ s$/);
  await expect.poll(() => alicePage.title(), { timeout: 10_000 }).toMatch(/^\(1\) /);
  await expect.poll(() => alicePage.evaluate(() => (window as unknown as { __chimes: number }).__chimes), { timeout: 10_000 }).toBeGreaterThan(0);

  await waiting.click();
  await alicePage.getByRole('log').getByText('Waiting in line').waitFor();
  const assigned = nextEvent<ConversationDTO>(early.socket, 'conversation:updated', (c) => c.status === 'active', HEARD_WITHIN_MS);
  await alicePage.getByRole('button', { name: 'Claim', exact: true }).click();
  expect((await assigned).assignee?.name).toBe('Alice');
  await nav(alicePage).getByRole('region', { name: /Mine/ }).getByRole('button', { name: /^Visitor / }).waitFor();
  await alicePage.getByText('1 of 3 chats').waitFor();
  await expect.poll(() => alicePage.title(), { timeout: 10_000 }).not.toMatch(/^\(/);
  early.socket.disconnect();

  // Online again: the widget's conversation is routed to Alice.
  await setStatus(alicePage, 'Online');
  ({ chat } = await openWidget(env()));
  await widgetSend(chat, 'Hello from the widget');
  await chat.getByRole('log').getByText('Hello from the widget').waitFor();
  const mine = nav(alicePage).getByRole('region', { name: /Mine/ });
  await mine.getByRole('button', { name: /Hello from the widget/ }).click();
  await alicePage.getByRole('log').getByText('Hello from the widget').waitFor();

  await alicePage.getByLabel('Reply', { exact: true }).fill('Hi, I am Alice. How can I help?');
  await alicePage.getByRole('button', { name: 'Send', exact: true }).click();
  await chat.getByRole('log').getByText('Hi, I am Alice. How can I help?').waitFor();

  // A private note: in the console, marked; never in the widget.
  await alicePage.getByLabel('Private note').check();
  await alicePage.getByLabel('Note for agents').fill('Internal: VIP customer');
  await alicePage.getByRole('button', { name: 'Add note', exact: true }).click();
  const note = alicePage.getByRole('log').locator('.message.note', { hasText: 'Internal: VIP customer' });
  await note.waitFor();
  await expect.poll(() => note.textContent(), { timeout: 10_000 }).toMatch(/only agents see this/);
  await alicePage.getByLabel('Private note').uncheck();

  // A canned response: "/" opens the list, Enter inserts the text, Enter sends it.
  const composer = alicePage.getByLabel('Reply', { exact: true });
  await composer.click();
  await composer.pressSequentially('/than');
  const option = alicePage.getByRole('listbox', { name: 'Canned responses' }).getByRole('option', { name: /\/thanks/ });
  await option.waitFor();
  await composer.press('Enter');
  await expect.poll(() => composer.inputValue(), { timeout: 10_000 }).toBe('Thanks for **waiting**, we are on it!');
  await composer.press('Enter');
  // The markdown subset renders as markup in the console.
  await alicePage.getByRole('log').locator('strong', { hasText: 'waiting' }).waitFor();
  await chat.getByRole('log').getByText(/Thanks for/).waitFor();

  // A new message while the console is hidden: chime, desktop notification, count in the title.
  await alicePage.evaluate(() => (window as unknown as { __setHidden(v: boolean): void }).__setHidden(true));
  await widgetSend(chat, 'Are you still there?');
  const titles = () => alicePage.evaluate(() => (window as unknown as { __notifications: { title: string }[] }).__notifications.map((n) => n.title));
  await expect.poll(titles, { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.stringMatching(/^New message from Visitor /)]));
  await expect.poll(() => alicePage.title(), { timeout: 10_000 }).toMatch(/^\(1\) /);
  await alicePage.evaluate(() => (window as unknown as { __setHidden(v: boolean): void }).__setHidden(false));
  await expect.poll(() => alicePage.title(), { timeout: 10_000 }).not.toMatch(/^\(/);

  // The note was sent before the last reply, and the widget has no trace of it.
  expect(await chat.getByRole('log').getByText('Internal: VIP customer').count()).toBe(0);
  expect(await chat.locator('body').innerText()).not.toContain('VIP customer');
  expect(env().pageErrors).toEqual([]);
});

test('a transfer between two agents, each in their own browser', async () => {
  bobPage = await signIn(env(), bob);
  await bobPage.getByText('0 of 3 chats').waitFor();
  // Alice still has the widget's conversation open; she hands it to Bob, whose load is shown.
  await alicePage.getByRole('button', { name: 'Transfer', exact: true }).click();
  const choice = alicePage.getByRole('group', { name: 'Transfer to' }).getByRole('button', { name: /Bob/ });
  await expect.poll(() => choice.textContent(), { timeout: 10_000 }).toMatch(/0 of 3 chats · Online/);
  await choice.click();
  await alicePage.getByRole('log').getByText('Transferred to Bob').waitFor();
  await expect.poll(() => nav(alicePage).getByRole('region', { name: /Mine/ }).getByRole('button', { name: /Are you still there/ }).count(), { timeout: 10_000 }).toBe(0);

  const bobsMine = nav(bobPage).getByRole('region', { name: /Mine/ });
  await bobsMine.getByRole('button', { name: /Are you still there/ }).click();
  // Bob sees everything said so far, Alice's note included.
  await bobPage.getByRole('log').getByText('Internal: VIP customer').waitFor();
  await bobPage.getByLabel('Reply', { exact: true }).fill('Bob here, I will take it from now.');
  await bobPage.getByRole('button', { name: 'Send', exact: true }).click();
  await chat.getByRole('log').getByText('Bob here, I will take it from now.').waitFor();
  await bobPage.getByText('1 of 3 chats').waitFor();
  expect(env().pageErrors).toEqual([]);
});

test('deactivating an agent puts their conversations back in the queue at once', async () => {
  adminPage = await signIn(env(), ADMIN);
  await setStatus(adminPage, 'Away');
  await setStatus(alicePage, 'Away');
  adminPage.on('dialog', (dialog) => void dialog.accept());
  await openSection(adminPage, 'Agents');
  await adminPage.getByRole('button', { name: 'Deactivate Bob' }).click();
  await adminPage.getByRole('status').getByText(/Bob was deactivated/).waitFor();
  await expect.poll(() => adminPage.getByRole('row', { name: /Bob/ }).textContent(), { timeout: 10_000 }).toMatch(/Deactivated/);

  // No grace period: the conversation is waiting again, in Alice's queue.
  const queue = nav(alicePage).getByRole('region', { name: /Queue/ });
  await queue.getByRole('button', { name: /Bob here/ }).waitFor();
  await alicePage.getByRole('log').getByText('Returned to the queue').waitFor();

  // Keyboard: n claims the conversation waiting longest; ? lists the shortcuts; e resolves.
  await alicePage.locator('body').click({ position: { x: 5, y: 400 } });
  await alicePage.keyboard.press('n');
  await nav(alicePage).getByRole('region', { name: /Mine/ }).getByRole('button', { name: /Bob here/ }).waitFor();
  await alicePage.keyboard.press('?');
  const help = alicePage.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.getByText('Claim the conversation waiting longest').waitFor();
  await alicePage.keyboard.press('Escape');
  await help.waitFor({ state: 'hidden' });
  expect(env().pageErrors).toEqual([]);
});

test('reports show the conversations just handled, per agent, with a chart and CSV export', async () => {
  // Resolve one of Alice's two conversations first, from the keyboard.
  await nav(alicePage).getByRole('region', { name: /Mine/ }).getByRole('button', { name: /Waiting in line/ }).click();
  await alicePage.locator('body').click({ position: { x: 5, y: 400 } });
  await alicePage.keyboard.press('e');
  await alicePage.getByRole('log').getByText('Resolved').waitFor();

  await openSection(adminPage, 'Reports');
  await expect.poll(() => adminPage.getByTestId('total-conversations').textContent(), { timeout: 10_000 }).toBe('2');
  await adminPage.getByRole('img', { name: 'Conversations' }).waitFor();
  await adminPage.getByLabel('Group by').selectOption({ label: 'Agent' });
  const aliceRow = adminPage.getByRole('row', { name: /^Alice/ });
  await expect.poll(() => aliceRow.locator('td').first().textContent(), { timeout: 10_000 }).toBe('2');
  await expect.poll(() => aliceRow.locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('1');

  const [download] = await Promise.all([adminPage.waitForEvent('download'), adminPage.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^parley-report-agent-.*\.csv$/);
  const csv = await readFile((await download.path())!, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines[0]).toMatch(/^key,label,conversations,resolved,/);
  expect(lines.find((l) => l.includes(',Alice,'))).toMatch(new RegExp(`^${alice.id},Alice,2,1,`));
  expect(lines.at(-1)).toMatch(/^total,Total,2,1,/);
  expect(env().pageErrors).toEqual([]);
});
