/**
 * Arabic, the widget's right-to-left language, on a customer's page (another origin than the chat
 * server): Arabic names and labels, a document that says dir=rtl and lang=ar, a panel whose layout is
 * the mirror of the English one (checked against English, so a broken mirror fails), mixed-direction
 * text that keeps its order, and the bubble left on the side the site chose.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chatFrame, eventually, WidgetHarness, type TestAgent } from './widget-harness.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

/** The names of the launcher's two states (also the frame's close button), the message box and its buttons. */
const ARABIC = { open: 'فتح الدردشة', close: 'إغلاق الدردشة', message: 'الرسالة', send: 'إرسال', attach: 'إرفاق ملف' };
const ENGLISH = { open: 'Open chat', close: 'Close chat', message: 'Message', send: 'Send', attach: 'Attach a file' };
type Names = typeof ARABIC;

/** Left edges (px) of `parts`, each a piece of one text node inside the element, as drawn. */
const lefts = (element: Locator, parts: string[]): Promise<number[]> =>
  element.evaluate(
    (el, wanted) =>
      wanted.map((part) => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = node.textContent!.indexOf(part);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + part.length);
          return range.getBoundingClientRect().left;
        }
        throw new Error(`"${part}" is not in "${el.textContent}"`);
      }),
    parts,
  );

/** Left edge, middle and right edge (px) of what `locator` shows. */
async function box(locator: Locator): Promise<{ x: number; center: number; right: number }> {
  const found = await locator.boundingBox();
  if (!found) throw new Error('not displayed');
  return { x: found.x, center: found.x + found.width / 2, right: found.x + found.width };
}

/**
 * Where things are in the open panel, left to right: is the visitor's bubble left or right of the
 * agent's, and of the transcript's middle; is Send left or right of the message box, the attach button
 * on the other side; is the close button left or right of the team name.
 */
async function layout(chat: FrameLocator, names: Names, visitorBody: string, agentBody: string) {
  const log = await box(chat.getByRole('log'));
  const mine = await box(chat.locator('li.mine .body', { hasText: visitorBody }));
  const theirs = await box(chat.locator('li.message:not(.mine) .body', { hasText: agentBody }));
  const textbox = await box(chat.getByRole('textbox', { name: names.message }));
  const send = await box(chat.getByRole('button', { name: names.send, exact: true }));
  const attach = await box(chat.getByRole('button', { name: names.attach }));
  const close = await box(chat.locator('header').getByRole('button', { name: names.close }));
  const title = await box(chat.getByRole('heading'));
  return {
    visitorBubble: mine.center < log.center && theirs.center > log.center ? 'left' : mine.center > log.center && theirs.center < log.center ? 'right' : 'mixed',
    sendButton: send.right <= textbox.x && attach.x >= textbox.right ? 'left' : send.x >= textbox.right && attach.right <= textbox.x ? 'right' : 'mixed',
    closeButton: close.right <= title.x ? 'left' : close.x >= title.right ? 'right' : 'mixed',
  };
}

/** The visitor says `visitorBody`, the agent answers `agentBody`; both are on screen after. */
async function exchange(chat: FrameLocator, names: Names, agent: TestAgent, visitorBody: string, agentBody: string): Promise<void> {
  const arrived = agent.messageFromVisitor(visitorBody);
  await chat.getByRole('textbox', { name: names.message }).fill(visitorBody);
  await chat.getByRole('button', { name: names.send, exact: true }).click();
  await agent.replyTo(arrived, agentBody);
  await chat.getByRole('log').locator('li.message:not(.mine)', { hasText: agentBody }).waitFor();
}

const documentDirection = (chat: FrameLocator) => chat.locator('html').evaluate((html: HTMLElement) => [html.dir, html.lang]);
const launcherBox = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).boundingBox();

test('Arabic from the browser: dir=rtl, Arabic names, the mirrored panel, mixed text in order', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Zoe', site);
  // A left-to-right name ending in punctuation, which an Arabic sentence would otherwise reorder.
  await h.admin('PATCH', `/agents/${agent.id}`, { name: 'Zoe B.' });
  const page = await h.openShop(await h.newContext({ site }, { locale: 'ar' }));

  // The bubble has an Arabic name (in lang=ar, for the screen reader's voice) and stays where the site put it: right.
  const bubble = page.getByRole('button', { name: ARABIC.open, exact: true });
  await bubble.waitFor();
  expect(await bubble.getAttribute('lang')).toBe('ar');
  expect(await launcherBox(page, ARABIC.open)).toEqual({ x: 1280 - 20 - 56, y: 720 - 20 - 56, width: 56, height: 56 });
  await bubble.click();
  const chat = chatFrame(page);
  await chat.getByRole('textbox', { name: ARABIC.message }).waitFor();
  expect(await documentDirection(chat)).toEqual(['rtl', 'ar']);
  await page.getByRole('button', { name: ARABIC.close, exact: true }).waitFor();
  expect((await page.locator('parley-widget iframe').boundingBox())?.x).toBe(1280 - 20 - 380);

  // A URL and a number inside Arabic: the link whole and exact, the sentence starting on the right.
  const mixed = 'مرحبا https://example.com 123';
  await exchange(chat, ARABIC, agent, mixed, 'Sure: see our FAQ.');
  const body = chat.locator('li.mine .body', { hasText: 'مرحبا' });
  const link = body.getByRole('link');
  expect([await link.getAttribute('href'), await link.textContent()]).toEqual(['https://example.com/', 'https://example.com']);
  expect(await link.evaluate((a) => a.getClientRects().length)).toBe(1);
  const [arabic, url, number] = await lefts(body, ['مرحبا', 'https://example.com', '123']);
  expect(Math.max(url!, number!)).toBeLessThan(arabic!);

  // English in the Arabic panel keeps its own direction: the full stop ends the sentence on the right.
  const [sure, stop] = await lefts(chat.locator('li.message:not(.mine) .body'), ['Sure', '.']);
  expect(stop!).toBeGreaterThan(sure!);
  // So does a left-to-right name in an Arabic sentence and in the header.
  const joined = chat.getByRole('log').locator('li.system', { hasText: 'إلى المحادثة' });
  const [zoe, dot] = await lefts(joined, ['Zoe', '.']);
  expect(dot!).toBeGreaterThan(zoe!);
  const [headerZoe, headerDot] = await lefts(chat.locator('header p'), ['Zoe', '.']);
  expect(headerDot!).toBeGreaterThan(headerZoe!);

  // The mirror of English: the visitor's bubble on the left, the agent's on the right, Send at the
  // inline end of the message box (left), the close button at the header's end (left).
  expect(await layout(chat, ARABIC, mixed, 'Sure: see our FAQ.')).toEqual({ visitorBubble: 'left', sendButton: 'left', closeButton: 'left' });
  expect(h.pageErrors).toEqual([]);
});

test('English is the control: the opposite geometry; Parley.setLocale("ar") mirrors the open panel', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Yusuf', site);
  const page = await h.openShop(await h.newContext({ site }));
  await page.getByRole('button', { name: ENGLISH.open, exact: true }).click();
  const chat = chatFrame(page);
  await chat.getByRole('textbox', { name: ENGLISH.message }).waitFor();
  expect(await documentDirection(chat)).toEqual(['ltr', 'en']);

  // Arabic in the English panel keeps its own direction too: the exclamation mark ends it on the left.
  await exchange(chat, ENGLISH, agent, 'Hello there', 'أهلًا وسهلًا!');
  const [exclamation, welcome] = await lefts(chat.locator('li.message:not(.mine) .body'), ['!', 'أهلًا']);
  expect(exclamation!).toBeLessThan(welcome!);
  expect(await layout(chat, ENGLISH, 'Hello there', 'أهلًا وسهلًا!')).toEqual({ visitorBubble: 'right', sendButton: 'right', closeButton: 'right' });

  await page.evaluate(() => (window as unknown as { Parley: { setLocale(code: string): void } }).Parley.setLocale('ar-SA'));
  await page.getByRole('button', { name: ARABIC.close, exact: true }).waitFor();
  await eventually(() => documentDirection(chat)).toEqual(['rtl', 'ar']);
  await chat.getByRole('button', { name: ARABIC.send, exact: true }).waitFor();
  expect(await layout(chat, ARABIC, 'Hello there', 'أهلًا وسهلًا!')).toEqual({ visitorBubble: 'left', sendButton: 'left', closeButton: 'left' });
  expect(h.pageErrors).toEqual([]);
});

test('a site set to Arabic speaks Arabic to every browser, and its bubble stays on the side it chose', async () => {
  const site = await h.createSite({ widgetSettings: { locale: 'ar', position: 'left' } });
  await h.connectAgent('Lina', site);
  const page = await h.openShop(await h.newContext({ site }, { locale: 'en-US' }));
  await page.getByRole('button', { name: ARABIC.open, exact: true }).click();
  const chat = chatFrame(page);
  await chat.getByRole('button', { name: ARABIC.send, exact: true }).waitFor();
  expect(await documentDirection(chat)).toEqual(['rtl', 'ar']);
  expect(await launcherBox(page, ARABIC.close)).toEqual({ x: 20, y: 720 - 20 - 56, width: 56, height: 56 });
  expect((await page.locator('parley-widget iframe').boundingBox())?.x).toBe(20);
  expect(h.pageErrors).toEqual([]);
});
