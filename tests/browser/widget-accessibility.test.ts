/**
 * The widget for people who use a keyboard, another language or a phone: a whole conversation without
 * a mouse, focus into the panel and back, Escape, visible focus; Simplified Chinese from the browser,
 * the site and the JS API; the full-screen panel on a small screen.
 */
import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chatFrame, eventually, identityHash, openChat, WidgetHarness } from './widget-harness.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

/** What has the keyboard focus: the launcher, something in the frame, or the host page. */
async function focused(page: Page, chat: FrameLocator): Promise<string> {
  const host = await page.evaluate(() => {
    const active = document.activeElement;
    if (active?.tagName !== 'PARLEY-WIDGET') return `page ${active?.tagName}`;
    const inner = active.shadowRoot!.activeElement;
    return inner?.tagName === 'IFRAME' ? 'frame' : `launcher ${inner?.getAttribute('aria-label')}`;
  });
  if (host !== 'frame') return host;
  return chat.locator(':root').evaluate(() => {
    const active = document.activeElement as HTMLElement | null;
    return `frame ${active?.tagName} ${active?.getAttribute('aria-label') ?? ''}`.trim();
  });
}

test('a whole conversation with the keyboard only', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Kim', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = chatFrame(page);
  await page.getByRole('button', { name: 'Open chat' }).waitFor();

  // Tab through the shop's links and field to the launcher, the last stop on the page.
  for (let i = 0; i < 10 && !(await focused(page, chat)).startsWith('launcher'); i++) await page.keyboard.press('Tab');
  expect(await focused(page, chat)).toBe('launcher Open chat');
  const outline = await page.locator('parley-widget').evaluate((el) => getComputedStyle(el.shadowRoot!.querySelector('button')!).outlineStyle);
  expect(outline).toBe('solid');

  await page.keyboard.press('Enter');
  await eventually(() => focused(page, chat)).toBe('frame TEXTAREA Message');
  const arrived = agent.messageFromVisitor('Typed, not clicked');
  await page.keyboard.type('Typed, not clicked');
  await page.keyboard.press('Enter');
  await agent.replyTo(arrived, 'Answered');
  await chat.getByRole('log').getByText('Answered').waitFor();

  // Tab reaches the panel's controls; Escape closes and gives the focus back to the launcher.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Escape');
  await eventually(() => focused(page, chat)).toBe('launcher Open chat');
  await page.keyboard.press('Enter');
  await eventually(() => focused(page, chat)).toBe('frame TEXTAREA Message');
  await page.keyboard.press('Escape');
  await eventually(() => focused(page, chat)).toBe('launcher Open chat');
  expect(h.pageErrors).toEqual([]);
});

/** Moments, in ms after the chat frame's page is let through, at which the visitor clicks "Open chat". */
const CLICK_OFFSETS_MS = [0, 10, 15, 20, 30];

// Focus given to the iframe while its page is still on its way can stay with the page being replaced: the frame
// then says its Message box has focus, but keystrokes go nowhere. The window is a few milliseconds wide, so
// the visitor opens the chat at a spread of moments around the page's arrival; each time, what they type once
// the box has focus must be in the box, and send.
test('opened while the chat frame is still loading, typing goes into the Message box and sends', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Ola', site, { capacity: CLICK_OFFSETS_MS.length });
  // Identify at load creates the frame before the panel opens.
  const script = `Parley('identify', { id: 'user-42', hash: '${identityHash('user-42', site.identitySecret)}' })`;
  const context = await h.newContext({ site, stub: true, script });
  let frameDocument: { requested(): void; letThrough: Promise<void> } | null = null;
  await context.route(`${h.server.url}/frame/**`, async (route) => {
    const held = route.request().resourceType() === 'document' ? frameDocument : null;
    held?.requested();
    await held?.letThrough;
    await route.continue();
  });
  for (const offset of CLICK_OFFSETS_MS) {
    let requested!: () => void;
    let letThrough!: () => void;
    const fetched = new Promise<void>((resolve) => (requested = resolve));
    frameDocument = { requested, letThrough: new Promise<void>((resolve) => (letThrough = resolve)) };
    const page = await h.openShop(context);
    await fetched;
    letThrough();
    if (offset) await page.waitForTimeout(offset);
    await page.getByRole('button', { name: 'Open chat' }).click();

    const chat = chatFrame(page);
    const box = chat.getByRole('textbox', { name: 'Message' });
    await eventually(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    const text = `Typed at once, opened ${offset} ms after the frame's page`;
    const arrived = agent.messageFromVisitor(text);
    await page.keyboard.type(text);
    expect(await box.inputValue(), `opened ${offset} ms after the frame's page: the Message box holds what was typed`).toBe(text);
    expect(await page.getByRole('textbox', { name: 'Search the shop' }).inputValue()).toBe('');
    await page.keyboard.press('Enter');
    await chat.getByRole('log').locator('li.message.mine:not(.sending, .failed)', { hasText: text }).waitFor();
    await arrived;
    await page.close();
  }
  expect(h.pageErrors).toEqual([]);
}, 120_000);

test('the panel\'s icons are drawn (SVG), not characters that need an emoji font', async () => {
  const site = await h.createSite();
  await h.connectAgent('Pat', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  await chat.getByRole('textbox', { name: 'Message' }).waitFor();
  const iconButtons = await chat.locator('button.icon').evaluateAll((buttons) =>
    buttons.map((b) => ({ name: b.getAttribute('aria-label'), text: b.textContent?.trim() ?? '', svg: b.querySelector('svg[aria-hidden="true"]') !== null })),
  );
  expect(iconButtons.map((b) => b.name)).toEqual(['Earlier conversations', 'Mute sounds', 'Close chat', 'Attach a file']);
  expect(iconButtons.filter((b) => b.text !== '' || !b.svg)).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('Simplified Chinese from the browser, from the site, and switched by Parley.setLocale', async () => {
  const site = await h.createSite();
  await h.connectAgent('Li', site);
  const page = await h.openShop(await h.newContext({ site }, { locale: 'zh-CN' }));
  await page.getByRole('button', { name: '打开聊天' }).click();
  const chat = chatFrame(page);
  await chat.getByRole('textbox', { name: '消息' }).waitFor();
  await chat.getByRole('button', { name: '发送' }).waitFor();
  expect(await chat.locator('html').getAttribute('lang')).toBe('zh-CN');
  await page.getByRole('button', { name: '关闭聊天' }).waitFor();

  await page.evaluate(() => (window as unknown as { Parley: { setLocale(code: string): void } }).Parley.setLocale('en'));
  await page.getByRole('button', { name: 'Close chat' }).waitFor();
  await chat.getByRole('button', { name: 'Send' }).waitFor();

  // A site that speaks Chinese to every visitor, whatever the browser says.
  const chineseSite = await h.createSite({ widgetSettings: { locale: 'zh-CN' } });
  const english = await h.openShop(await h.newContext({ site: chineseSite }, { locale: 'en-US' }));
  await english.getByRole('button', { name: '打开聊天' }).click();
  await chatFrame(english).getByRole('button', { name: '发送' }).waitFor();
  expect(h.pageErrors).toEqual([]);
});

test('phones: a full-screen panel, 16px fields (no zoom on focus), and the panel closes from inside', async () => {
  const site = await h.createSite();
  await h.connectAgent('Mo', site);
  const context = await h.newContext({ site }, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await h.openShop(context);
  const chat = await openChat(page);
  await chat.getByRole('textbox', { name: 'Message' }).waitFor();
  const panel = await page.locator('parley-widget iframe').boundingBox();
  expect(panel).toEqual({ x: 0, y: 0, width: 390, height: 844 });
  expect(await chat.getByRole('textbox', { name: 'Message' }).evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
  // The launcher is under the panel (hidden); the frame's own button closes it.
  expect(await page.getByRole('button', { name: 'Close chat' }).isVisible()).toBe(false);
  await chat.getByRole('button', { name: 'Close chat' }).click();
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  expect(h.pageErrors).toEqual([]);
});
