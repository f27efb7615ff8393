/**
 * The widget and the customer's page leave each other alone: hostile page CSS can't break the widget,
 * a strict CSP doesn't block it, it adds no global but `Parley`, and shifts no layout. What it costs the page's
 * main thread is measured by the bench (`npm run bench -- --only widget`), not here: timings vary by machine.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chatFrame, eventually, HOST_ORIGIN, openChat, send, WidgetHarness } from './widget-harness.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

/** The same shop page, but widget.js never loads: what the page is without the widget running. */
async function blockWidgetJs(context: BrowserContext): Promise<BrowserContext> {
  await context.route(`${h.server.url}/widget.js`, (route) => route.abort());
  return context;
}

/** Layout boxes of the shop's own content, to compare with and without the widget. */
const shopLayout = (page: Page) =>
  page.evaluate(() => {
    const box = (selector: string) => JSON.stringify(document.querySelector(selector)!.getBoundingClientRect());
    return { main: box('main'), h1: box('h1'), input: box('input'), height: document.documentElement.scrollHeight };
  });

test('hostile page CSS (all: unset, hidden divs, a top overlay, 4px root font) cannot break the widget', async () => {
  // The overlay sits at the highest z-index: the site sets the widget's z-index to match (a setting).
  const site = await h.createSite({ widgetSettings: { zIndex: 2147483647 } });
  const agent = await h.connectAgent('Nia', site);
  const without = await h.openShop(await blockWidgetJs(await h.newContext({ site, hostileCss: true })));
  const page = await h.openShop(await h.newContext({ site, hostileCss: true }));
  await page.getByRole('button', { name: 'Open chat' }).waitFor();
  expect(await page.getByRole('button', { name: 'Open chat' }).boundingBox()).toEqual({ x: 1280 - 20 - 56, y: 720 - 20 - 56, width: 56, height: 56 });
  expect(await shopLayout(page)).toEqual(await shopLayout(without));

  const chat = await openChat(page);
  const panel = await page.locator('parley-widget iframe').boundingBox();
  expect(panel).toEqual({ x: 1280 - 20 - 380, y: 720 - 20 - 68 - 612, width: 380, height: 612 });
  expect(await chat.getByRole('textbox', { name: 'Message' }).evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
  const arrived = agent.messageFromVisitor('Styled or not, here I am');
  await send(chat, 'Styled or not, here I am');
  await agent.replyTo(arrived, 'Loud and clear');
  await chat.getByRole('log').getByText('Loud and clear').waitFor();
  expect(h.pageErrors).toEqual([]);
});

test("position, offsets, z-index, colour, team name and greeting come from the site's settings", async () => {
  const site = await h.createSite({
    widgetSettings: { position: 'left', offsetX: 32, offsetY: 48, zIndex: 1000, color: '#ffd400', teamName: 'Garden help', greeting: 'Ask us about plants!' },
  });
  const page = await h.openShop(await h.newContext({ site }));
  const launcher = page.getByRole('button', { name: 'Open chat' });
  expect(await launcher.boundingBox()).toEqual({ x: 32, y: 720 - 48 - 56, width: 56, height: 56 });
  const button = await launcher.evaluate((el) => ({ zIndex: getComputedStyle(el).zIndex, background: getComputedStyle(el).backgroundColor, color: getComputedStyle(el).color }));
  // On a light colour the icon turns dark, for contrast.
  expect(button).toEqual({ zIndex: '1000', background: 'rgb(255, 212, 0)', color: 'lch(0 0 0)' });

  const chat = await openChat(page);
  expect((await page.locator('parley-widget iframe').boundingBox())?.x).toBe(32);
  await chat.getByRole('heading', { name: 'Garden help' }).waitFor();
  await chat.getByText('Ask us about plants!').waitFor();
  const header = await chat.locator('header').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
  expect(header).toEqual(['rgb(255, 212, 0)', 'lch(0 0 0)']);
});

test('a strict CSP (nonce + strict-dynamic, no unsafe-inline or unsafe-eval, Trusted Types) blocks nothing', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Omar', site);
  const context = await h.newContext({ site, strictCsp: true, stub: true, script: "Parley('on', 'open', function () { document.title = 'opened'; })" });
  await context.addInitScript(() => {
    const seen: string[] = ((window as unknown as { violations: string[] }).violations = []);
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  const page = await h.openShop(context);
  const cspErrors: string[] = [];
  page.on('console', (message) => message.type() === 'error' && cspErrors.push(message.text()));
  const chat = await openChat(page);
  await eventually(() => page.title()).toBe('opened');
  const arrived = agent.messageFromVisitor('Under a strict policy');
  await send(chat, 'Under a strict policy');
  await agent.replyTo(arrived, 'Works');
  await chat.getByRole('log').getByText('Works').waitFor();
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  expect(cspErrors).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('the widget adds one global, Parley, and shifts no layout', async () => {
  const site = await h.createSite();
  const shop = async (): Promise<BrowserContext> => {
    const context = await h.newContext({ site });
    await context.addInitScript(() => {
      const shifts: number[] = ((window as unknown as { shifts: number[] }).shifts = []);
      new PerformanceObserver((list) => list.getEntries().forEach((entry) => shifts.push((entry as unknown as { value: number }).value))).observe({ type: 'layout-shift', buffered: true });
    });
    return context;
  };
  const globals = (page: Page) => page.evaluate(() => Object.getOwnPropertyNames(window));
  const without = await h.openShop(await blockWidgetJs(await shop()));
  const page = await h.openShop(await shop());
  await openChat(page);
  await chatFrame(page).getByRole('textbox', { name: 'Message' }).waitFor();
  const before = new Set(await globals(without));
  expect((await globals(page)).filter((name) => !before.has(name))).toEqual(['Parley']);
  expect(await page.evaluate(() => (window as unknown as { shifts: number[] }).shifts)).toEqual([]);
});
