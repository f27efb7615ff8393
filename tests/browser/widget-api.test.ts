/**
 * The page's JS API: calls queued by the stub before widget.js loads, events, custom attributes,
 * identify with a valid and an invalid hash (on a site that requires verification), and shutdown.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ConversationDetail } from '../../server/contract/events.ts';
import { chatFrame, eventually, identityHash, openChat, send, WidgetHarness } from './widget-harness.ts';
import { profileHash } from '../../server/app/visitors.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

/** Runs `Parley[command](...args)` in the page. */
const parley = (page: Page, command: string, ...args: unknown[]) =>
  page.evaluate(([command, args]) => (window as unknown as { Parley: Record<string, (...a: unknown[]) => void> }).Parley[command as string]!(...(args as unknown[])), [command, args] as const);

const recorded = (page: Page) => page.evaluate(() => (window as unknown as { events: string[] }).events);

const RECORD_EVENTS = `window.events = [];
window.onUnread = function (count) { events.push('unread:' + count); };
Parley('on', 'open', function () { events.push('open'); });
Parley('on', 'close', function () { events.push('close'); });
Parley('on', 'message', function (m) { events.push('message:' + m.authorKind + ':' + m.body); });
Parley('on', 'unread', window.onUnread);
Parley('on', 'error', function (e) { events.push('error:' + e.code); });
Parley('setAttributes', { plan: 'pro', seats: 3 });`;

test('calls made before widget.js loads are replayed; open, close, message and unread events reach the page', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Quinn', site);
  const page = await h.openShop(await h.newContext({ site, stub: true, script: RECORD_EVENTS }));
  await page.getByRole('button', { name: 'Open chat' }).waitFor();

  await parley(page, 'open');
  const arrived = agent.messageFromVisitor('Hi from the API test');
  await send(chatFrame(page), 'Hi from the API test');
  await chatFrame(page).getByRole('log').getByText('Sent').waitFor();
  const { conversationId } = await arrived;
  await parley(page, 'close');
  await agent.command('message:send', { conversationId, clientId: crypto.randomUUID(), body: 'Hello back' });
  await page.getByRole('button', { name: 'Open chat, 1 unread' }).waitFor();
  await eventually(() => recorded(page)).toEqual(['open', 'message:visitor:Hi from the API test', 'close', 'unread:1', 'message:agent:Hello back']);

  // off: no more unread events; toggle opens (and reads), and closes.
  await page.evaluate(() => (window as unknown as { Parley: { off(e: string, f: unknown): void }; onUnread: unknown }).Parley.off('unread', (window as unknown as { onUnread: unknown }).onUnread));
  await parley(page, 'toggle');
  await parley(page, 'toggle');
  await page.getByRole('button', { name: 'Open chat', exact: true }).waitFor();
  expect((await recorded(page)).slice(5)).toEqual(['open', 'close']);

  // The agent sees the page's custom attributes and where the visitor is.
  const { visitor } = await agent.command<ConversationDetail>('conversation:get', { conversationId });
  expect(visitor.attributes).toEqual({ plan: 'pro', seats: 3 });
  expect(visitor.pageUrl).toBe('http://shop.test/');
  expect(h.pageErrors).toEqual([]);
});

test('identify: a valid hash verifies the visitor, who keeps the conversation and finds it on another device', async () => {
  const site = await h.createSite({ identityRequired: true });
  const agent = await h.connectAgent('Rae', site);
  const hash = identityHash('user-42', site.identitySecret);
  // The site requires verification, so it signs the name and email too.
  const signed = profileHash({ userId: 'user-42', name: 'Ada', email: 'ada@example.com' }, site.identitySecret);
  const identify = `Parley('identify', { id: 'user-42', name: 'Ada', email: 'ada@example.com', hash: '${hash}', profileHash: '${signed}' });`;

  // Anonymous first, then signed in on the same page.
  const laptop = await h.openShop(await h.newContext({ site, stub: true }));
  const arrived = agent.messageFromVisitor('Asked before signing in');
  await send(await openChat(laptop), 'Asked before signing in');
  const { conversationId } = await arrived;
  await laptop.evaluate(identify);
  await eventually(async () => (await agent.command<ConversationDetail>('conversation:get', { conversationId })).visitor)
    .toMatchObject({ name: 'Ada', email: 'ada@example.com', verified: true, nameVerified: true, emailVerified: true, externalId: 'user-42' });
  await chatFrame(laptop).getByRole('log').getByText('Asked before signing in').waitFor();

  // Another device: identify (queued by the stub) resumes the same conversation, and after a reload the
  // stored token is the identified visitor's.
  const phone = await h.openShop(await h.newContext({ site, stub: true, script: identify }));
  await chatFrame(phone).locator('.transcript li', { hasText: 'Asked before signing in' }).waitFor({ state: 'attached' });
  await phone.reload();
  await chatFrame(phone).locator('.transcript li', { hasText: 'Asked before signing in' }).waitFor({ state: 'attached' });
  expect(h.pageErrors).toEqual([]);
});

test('identify with a bad hash is refused: a console error and an error event, and the visitor stays anonymous', async () => {
  const site = await h.createSite({ identityRequired: true });
  await h.connectAgent('Sam', site);
  const page = await h.openShop(await h.newContext({ site, stub: true, script: RECORD_EVENTS }));
  const consoleErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  await parley(page, 'identify', { id: 'user-42', name: 'Mallory', hash: 'ab'.repeat(32) });
  await eventually(() => recorded(page)).toContain('error:FORBIDDEN');
  expect(consoleErrors.some((text) => text.startsWith('[Parley] FORBIDDEN:'))).toBe(true);
  expect(h.pageErrors).toEqual([]);
});

test('shutdown forgets the visitor: no stored token, no frame, a fresh empty chat next time', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Tia', site);
  const page = await h.openShop(await h.newContext({ site }));
  const first = agent.messageFromVisitor('Before logging out');
  await send(await openChat(page), 'Before logging out');
  const before = await first;

  await parley(page, 'shutdown');
  expect(await page.locator('parley-widget iframe').count()).toBe(0);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.endsWith(':token')))).toEqual([]);

  const chat = await openChat(page);
  await chat.getByText('Hi! How can we help?').waitFor();
  expect(await chat.getByRole('log').getByText('Before logging out').count()).toBe(0);
  const second = agent.messageFromVisitor('After logging out');
  await send(chat, 'After logging out');
  const after = await second;
  const [a, b] = await Promise.all(
    [before, after].map((m) => agent.command<ConversationDetail>('conversation:get', { conversationId: m.conversationId })),
  );
  expect(a!.visitor.id).not.toBe(b!.visitor.id);
  expect(h.pageErrors).toEqual([]);
});
