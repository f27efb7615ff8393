/**
 * The XSS corpus (xss-corpus.ts) in every field a visitor or an agent controls, rendered by the widget (on a
 * customer's page, another origin than the chat server) and by the agent console, in real Chromium:
 *
 * - visitor message bodies (sent from the widget, seen in both) and agent message bodies (seen in both);
 * - attachment file names (uploaded from the widget, shown in both);
 * - the visitor's name and email (`Parley('identify')` for the widget's visitor, `visitor:update` as the
 *   pre-chat form sends it for one visitor per payload), custom attributes (`Parley('setAttributes')`, and
 *   one per visitor) and page title, shown in the console's lists, header, tabs and visitor panel.
 *
 * Inert means: no dialog, no request to any origin but the chat server and the shop, no popup, no `__pwned`
 * flag in any frame, and, where the payloads land, only the elements and attributes our renderers make, with
 * http(s)/mailto links only, and a URL shown in a message shown as it is (no hidden or reordered part). And
 * each payload must be on screen as text, so the test proves it got there.
 *
 * The browser contexts bypass Content-Security-Policy: the console and the chat frame forbid inline script
 * and foreign requests, which would hide a renderer bug; here the renderers have to be safe on their own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { cleanFileName, nameForType } from '../../server/app/attachments.ts';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { ConversationDetail, SendResult } from '../../server/contract/events.ts';
import { visitorUpdate } from '../../server/realtime/schemas.ts';
import { launchChromium } from '../support/chromium.ts';
import { explained } from '../support/explained.ts';
import { ask, closeAllSockets, connectAgent, connectVisitor, createAgent, ok, record, startServer, visitorSession, type AgentSocket, type TestServer } from '../support/parley.ts';
import { onAgentMessage } from '../support/agent-messages.ts';
import { xssCorpus, type XssPayload } from './xss-corpus.ts';

const HOST_ORIGIN = 'http://shop.test';
/** 1×1 transparent PNG, for attachments shown as image previews. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const FILES_PER_MESSAGE = 5;
const PAYLOADS_PER_MESSAGE = 15;
const MAX_ATTRIBUTES = 50;

let server: TestServer;
let browser: Browser;
let beacon: Beacon;
let corpus: XssPayload[];
let watch: Watch;
let agent: { socket: AgentSocket; credentials: { email: string; password: string } };
let consolePage: Page;
let conversationId: string;

/** A server on another port that records every request: where the payloads' resources point. */
interface Beacon {
  origin: string;
  hits: string[];
  server: Server;
}

async function startBeacon(): Promise<Beacon> {
  const hits: string[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    hits.push(`${req.method} ${req.url}`);
    // Something that acts if it is ever loaded as a script.
    res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }).end('window.__pwned = "beacon script"');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, hits, server: http };
}

/** What the payloads could do that the test can see: dialogs, foreign requests, popups, uncaught errors. */
interface Watch {
  dialogs: string[];
  foreignRequests: string[];
  popups: string[];
  pageErrors: string[];
  /** What the pages and their frames logged: not checked, shown when a test fails to say why. */
  consoleLines: string[];
  contexts: BrowserContext[];
}

async function watchedContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  watch.contexts.push(context);
  const allowed = new Set([server.url, HOST_ORIGIN]);
  // Requests of every frame and worker of the context, including the chat frame inside the shop's page.
  context.on('request', (request) => {
    const url = request.url();
    if (!allowed.has(new URL(url).origin)) watch.foreignRequests.push(`${request.method()} ${url}`);
  });
  context.on('page', (page) => {
    page.on('dialog', (dialog) => {
      watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => watch.pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => watch.consoleLines.push(`${message.type()} ${message.location().url}: ${message.text()}`));
    page.on('popup', (popup) => watch.popups.push(popup.url()));
  });
  await context.route(`${HOST_ORIGIN}/**`, (route) =>
    new URL(route.request().url()).pathname === '/'
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: shopPage() })
      : route.fulfill({ status: 404 }),
  );
  return context;
}

/** JSON for an inline script: `<` escaped, so no payload can close the script element of our own test page. */
const inlineJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The visitor whose widget the test drives: identified with a hostile name and email, with hostile attributes. */
const widgetVisitor = () => ({
  name: corpus.find((p) => p.category === 'event handler')!.text,
  email: corpus.find((p) => p.category === 'email')!.text,
  attributes: Object.fromEntries(corpus.slice(0, MAX_ATTRIBUTES).map((p, i) => [`p${String(i).padStart(2, '0')}`, p.text])),
});

function shopPage(): string {
  const { name, email, attributes } = widgetVisitor();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Shop</h1>
<script>window.Parley=window.Parley||function(){(Parley.q=Parley.q||[]).push(arguments)}</script>
<script>
Parley('identify', { id: 'xss-visitor', name: ${inlineJson(name)}, email: ${inlineJson(email)} });
Parley('setAttributes', ${inlineJson(attributes)});
</script>
<script async src="${server.url}/widget.js" data-site="${server.site.publicKey}"></script>
</body></html>`;
}

/** Payloads joined one per line: our markdown never spans lines, so each is parsed on its own. */
const batches = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
const bodies = () => batches(corpus, PAYLOADS_PER_MESSAGE).map((batch) => batch.map((p) => p.text).join('\n'));
const shownInBody = (p: XssPayload) => p.shownInBody ?? p.text;
/** Every few files is an image, so both the preview (alt text) and the download link (text) are exercised. */
const isImage = (index: number) => index % 4 === 0;

/**
 * What the renderers may put where payloads land, checked in the page: the elements our components make,
 * no event-handler, style or srcdoc attribute, links only to http(s) and mailto, images only from the chat
 * server, and links in messages that show a URL show it plainly. (Runs in the browser, so it declares no
 * helper functions.)
 */
function unexpectedMarkup(frame: Frame, roots: string): Promise<string[]> {
  return frame.evaluate((rootSelector) => {
    const allowed = new Set(['a', 'aside', 'bdi', 'button', 'code', 'dd', 'div', 'dl', 'dt', 'em', 'h2', 'h3', 'header', 'img', 'li', 'ol', 'p', 'section', 'small', 'span', 'strong', 'time', 'ul']);
    const problems: string[] = [];
    const roots = document.querySelectorAll(rootSelector);
    if (roots.length === 0) problems.push(`nothing matches ${rootSelector}`);
    for (const root of roots) {
      for (const element of root.querySelectorAll('*')) {
        const tag = element.localName;
        // Our own icons (widget/shared/icons.tsx): a decorative svg.glyph holding paths and no text.
        const icon = element.closest('svg');
        const ownIcon = icon?.matches('svg.glyph[aria-hidden="true"]') && !icon.textContent && (tag === 'svg' || tag === 'path');
        if (!allowed.has(tag) && !ownIcon) problems.push(`<${tag}> in ${root.localName}.${root.className}`);
        for (const { name, value } of Array.from(element.attributes)) {
          if (/^on|^style$|^srcdoc$|^formaction$|^xlink:/i.test(name)) problems.push(`<${tag} ${name}="${value}">`);
        }
        if (element instanceof HTMLAnchorElement && element.hasAttribute('href') && !['http:', 'https:', 'mailto:'].includes(element.protocol)) {
          problems.push(`<a href="${element.getAttribute('href')}">`);
        }
        if (element instanceof HTMLImageElement && new URL(element.src).origin !== location.origin) problems.push(`<img src="${element.src}">`);
        // A link showing a URL in a message must show it as it is: no invisible or bidi-control characters
        // inside, and isolated from overrides around it.
        const shownUrl = element instanceof HTMLAnchorElement && element.closest('.body') && /^https?:/.test(element.textContent ?? '');
        if (shownUrl && (/\p{Cf}/u.test(element.textContent ?? '') || getComputedStyle(element).unicodeBidi !== 'isolate')) {
          problems.push(`<a> showing ${JSON.stringify(element.textContent)}, unicode-bidi ${getComputedStyle(element).unicodeBidi}`);
        }
      }
    }
    return problems;
  }, roots);
}

/** Nothing a payload could do happened, anywhere so far. */
async function expectInert(): Promise<void> {
  const pwned: string[] = [];
  for (const context of watch.contexts) {
    for (const page of context.pages()) {
      for (const frame of page.frames()) {
        const flag = await frame.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned).catch(() => undefined);
        if (flag !== undefined) pwned.push(`${frame.url()}: ${String(flag)}`);
      }
    }
  }
  expect({
    dialogs: watch.dialogs,
    foreignRequests: watch.foreignRequests,
    beaconHits: beacon.hits,
    popups: watch.popups,
    pwned,
    pageErrors: watch.pageErrors,
  }).toEqual({ dialogs: [], foreignRequests: [], beaconHits: [], popups: [], pwned: [], pageErrors: [] });
}

/** The expected strings `text` lacks (an empty list when every one is on screen). */
const missing = (text: string, expected: string[]) => expected.filter((s) => !text.includes(s));

/** Where the console shows what visitors and agents wrote: the lists, tabs, header, transcript, visitor panel. */
const CONSOLE_USER_CONTENT = '#view-panel, .open-tabs, .pane-header, .pane [role=log], aside.context';

/** The attachment names as stored (path and bidi controls removed, extension agreeing with the type), of the files sent as text or as images. */
const fileNames = (kind: 'text' | 'image') =>
  corpus.filter((_, i) => isImage(i) === (kind === 'image')).map((p) => nameForType(cleanFileName(p.text), kind === 'image' ? 'image/png' : 'text/plain'));

/** The alt texts of the image previews under `root`, one per line. */
const imageNames = async (root: Locator) => (await root.locator('img').evaluateAll((images) => images.map((img) => (img as HTMLImageElement).alt))).join('\n');

/**
 * Gives anything injected the time to act: broken images' error handlers, frames and style sheets load
 * within a few hundred milliseconds of insertion, from local servers.
 */
const settle = (page: Page) => page.waitForTimeout(1000);

/** Clicks the conversation in the console's list (dispatched: an injected overlay must not get the click). */
const openConversation = (id: string) => consolePage.locator(`[data-conversation-id="${id}"]`).dispatchEvent('click');

/** Where the widget's messages are stuck, if they are: its status line, its unsent messages, the logs. */
async function widgetState(chat: FrameLocator): Promise<string> {
  const status = await chat.getByRole('status').innerText({ timeout: 1000 });
  const unsent = await chat.locator('li.message.mine.sending, li.message.mine.failed').evaluateAll((items) => items.map((li) => li.querySelector('.meta')?.textContent ?? ''));
  return [
    `widget status line: ${JSON.stringify(status)}`,
    `widget's unsent messages: ${JSON.stringify(unsent)}`,
    `browser console:\n  ${watch.consoleLines.join('\n  ')}`,
    `server log:\n  ${server.logs.join('\n  ')}`,
  ].join('\n');
}

const textOf = (elements: Locator) => elements.evaluateAll((all) => all.map((e) => e.textContent ?? '').join('\n'));

beforeAll(async () => {
  [server, browser, beacon] = await Promise.all([startServer(), launchChromium(), startBeacon()]);
  corpus = xssCorpus(beacon.origin);
  watch = { dialogs: [], foreignRequests: [], popups: [], pageErrors: [], consoleLines: [], contexts: [] };
  server.site = await server.parley.admin.createSite({ name: 'Shop', origins: [HOST_ORIGIN] });
  // One agent answers everything: the widget's visitor and one visitor per payload.
  const credentials = await createAgent(server, 'ada', 100);
  const { socket } = await connectAgent(server, credentials);
  await ok(socket, 'agent:setStatus', { status: 'online' });
  agent = { socket, credentials };
});

// Whatever a test did, nothing a payload could do happened.
afterEach(expectInert);

afterAll(async () => {
  closeAllSockets();
  await browser?.close();
  await server?.close();
  beacon?.server.close();
});

test('the corpus covers every category with 60+ distinct payloads', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(60);
  for (const category of ['script tag', 'event handler', 'javascript: URL', 'data: URL', 'SVG', 'CSS', 'HTML resource', 'markdown link', 'template injection', 'bidi override', 'zero-width', 'email'] as const) {
    expect(corpus.filter((p) => p.category === category).length, category).toBeGreaterThanOrEqual(3);
  }
});

test('the widget shows hostile visitor messages, agent replies and file names as text', async () => {
  const widgetPage = await (await watchedContext()).newPage();
  widgetPage.setDefaultTimeout(15_000);
  await widgetPage.goto(`${HOST_ORIGIN}/`);
  await widgetPage.getByRole('button', { name: /^Open chat/ }).click();
  const chat: FrameLocator = widgetPage.frameLocator('parley-widget iframe');
  const textbox = chat.getByRole('textbox', { name: 'Message' });
  const log = chat.getByRole('log');

  // The visitor's messages, one batch of payloads each, typed (the box must hold them: keystrokes that went
  // to the host page would leave it empty, and Enter on an empty box sends nothing), then the next once the
  // transcript shows this one sent. Sent with Enter rather than a click: a renderer that let an overlay
  // through would swallow clicks, and the test should then report what the payloads did rather than time out.
  // The agent meets the first message inside the new conversation's summary, the rest in messages:new.
  const agentReceived: MessageDTO[] = [];
  onAgentMessage(agent.socket, (m) => agentReceived.some((seen) => seen.id === m.id) || agentReceived.push(m));
  const sent = log.locator('li.message.mine:not(.sending, .failed)');
  for (const [index, body] of bodies().entries()) {
    await textbox.fill(body);
    expect(await textbox.inputValue(), 'the Message box holds the payloads').toBe(body);
    await textbox.press('Enter');
    await explained(expect.poll(() => sent.count(), { timeout: 15_000 }).toBe(index + 1), () => widgetState(chat));
  }
  const fromVisitor = () => agentReceived.filter((m) => m.authorKind === 'visitor');
  await explained(expect.poll(() => fromVisitor().length, { timeout: 20_000 }).toBe(bodies().length), () => widgetState(chat));
  conversationId = fromVisitor()[0]!.conversationId;

  // The agent's replies.
  for (const body of bodies()) {
    await ok<SendResult>(agent.socket, 'message:send', { conversationId, clientId: crypto.randomUUID(), body });
  }

  // Attachments named after the payloads, a few at a time (the per-message limit), sent without words.
  for (const [batchIndex, batch] of batches(corpus, FILES_PER_MESSAGE).entries()) {
    const files = batch.map((p, i) => {
      const image = isImage(batchIndex * FILES_PER_MESSAGE + i);
      return { name: p.text, mimeType: image ? 'image/png' : 'text/plain', buffer: image ? PNG : Buffer.from('hello') };
    });
    await chat.locator('input[type=file]').setInputFiles(files);
    await expect.poll(() => chat.locator('.drafts li.ready').count(), { timeout: 15_000 }).toBe(files.length);
    await textbox.press('Enter');
    await expect.poll(() => chat.locator('.drafts li').count(), { timeout: 15_000 }).toBe(0);
  }

  // Every body from both sides and every file is on screen.
  await expect.poll(() => log.locator('li.message.mine .body').count(), { timeout: 15_000 }).toBe(bodies().length);
  await expect.poll(() => log.locator('li.message:not(.mine) .body').count(), { timeout: 15_000 }).toBe(bodies().length);
  await expect.poll(() => log.locator('.attachments li').count(), { timeout: 15_000 }).toBe(corpus.length);
  await settle(widgetPage);

  const frame = widgetPage.frames().find((f) => f.url().startsWith(`${server.url}/frame/`))!;
  expect.soft(await unexpectedMarkup(frame, '[role=log]')).toEqual([]);
  expect.soft(missing((await log.textContent()) ?? '', [...corpus.map(shownInBody), ...fileNames('text')])).toEqual([]);
  expect.soft(missing(await imageNames(log), fileNames('image'))).toEqual([]);
});

test('the console shows the same conversation, the identified name, email and attributes as text', async () => {
  consolePage = await (await watchedContext()).newPage();
  consolePage.setDefaultTimeout(15_000);
  await consolePage.goto(`${server.url}/console/`);
  await consolePage.getByLabel('Email').fill(agent.credentials.email);
  await consolePage.getByLabel('Password').fill(agent.credentials.password);
  await consolePage.getByRole('button', { name: 'Sign in' }).click();
  await openConversation(conversationId);

  const { name, email, attributes } = widgetVisitor();
  // What the server stored of the page's identify and attributes: a miss here is the widget's, not the console's.
  const stored = await ok<ConversationDetail>(agent.socket, 'conversation:get', { conversationId });
  expect({ name: stored.visitor.name, email: stored.visitor.email, attributes: stored.visitor.attributes }).toEqual({ name, email, attributes });
  const transcript = consolePage.getByRole('log');
  await expect.poll(() => transcript.locator('li.message .body').count(), { timeout: 15_000 }).toBe(2 * bodies().length);
  await expect.poll(() => transcript.locator('.attachments li').count(), { timeout: 15_000 }).toBe(corpus.length);
  const panel = consolePage.locator('aside.context');
  await panel.locator('.attributes').waitFor();
  await settle(consolePage);

  expect.soft(await unexpectedMarkup(consolePage.mainFrame(), CONSOLE_USER_CONTENT)).toEqual([]);
  expect.soft(missing((await transcript.textContent()) ?? '', [...corpus.map(shownInBody), ...fileNames('text')])).toEqual([]);
  expect.soft(missing(await imageNames(transcript), fileNames('image'))).toEqual([]);
  expect.soft(missing((await panel.textContent()) ?? '', [name, email, ...Object.values(attributes)])).toEqual([]);
  expect.soft(await consolePage.locator('.pane-header h2').textContent()).toBe(name);
  expect.soft(await panel.locator('h2').textContent()).toBe(name);
});

test('the console shows one visitor per payload, named, with email and attribute, as text in every list and panel', async () => {
  const validEmail = (email: string) => visitorUpdate.safeParse({ email }).success;
  // Only the email payloads pass the server's email check; the others are refused as emails.
  expect(corpus.filter((p) => validEmail(p.text)).map((p) => p.category)).toEqual(corpus.filter((p) => p.category === 'email').map(() => 'email'));

  const visitors: { payload: XssPayload; conversationId: string }[] = [];
  for (const group of batches(corpus, 10)) {
    visitors.push(
      ...(await Promise.all(
        group.map(async (payload) => {
          const { token } = await visitorSession(server, HOST_ORIGIN);
          const { socket } = await connectVisitor(server, { token, origin: HOST_ORIGIN });
          const email = validEmail(payload.text) ? payload.text : undefined;
          if (!email) expect(await ask(socket, 'visitor:update', { email: payload.text })).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
          // What the pre-chat form sends, an attribute as Parley.setAttributes would, and the page's title.
          const context = { pageUrl: `${HOST_ORIGIN}/checkout`, pageTitle: payload.text };
          await ok(socket, 'visitor:update', { name: payload.text, email, attributes: { payload: payload.text }, context });
          const sent = await ok<SendResult>(socket, 'message:send', { clientId: crypto.randomUUID(), body: payload.text });
          return { payload, conversationId: sent.message.conversationId };
        }),
      )),
    );
  }

  // All of them in "Mine", by name, with the payload as the last message's preview (plain text).
  const list = consolePage.locator('#view-panel');
  await expect.poll(() => list.locator('button[data-conversation-id]').count(), { timeout: 20_000 }).toBe(corpus.length + 1);
  await settle(consolePage);
  expect.soft(missing(await textOf(list.locator('.name')), corpus.map((p) => p.text))).toEqual([]);
  expect.soft(missing(await textOf(list.locator('.preview')), corpus.map((p) => p.text))).toEqual([]);

  // Each one opened: name in the header, the tab and the panel; email, attribute and page title in the panel.
  // (Bodies through the transcript's renderer are the previous test's.) Clicked and read in the page, which
  // spares three round trips to the browser per visitor.
  const shown = await consolePage.evaluate(async (opened) => {
    const seen: { header?: string | null; tab?: string | null; panel?: string | null }[] = [];
    for (const { id, name } of opened) {
      document.querySelector<HTMLElement>(`[data-conversation-id="${id}"]`)?.click();
      const giveUpAt = Date.now() + 10_000;
      while (document.querySelector('aside.context h2')?.textContent !== name && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 10));
      seen.push({
        header: document.querySelector('.pane-header h2')?.textContent,
        tab: document.querySelector('.open-tabs li.selected .tab')?.textContent,
        panel: document.querySelector('aside.context')?.textContent,
      });
    }
    return seen;
  }, visitors.map(({ payload, conversationId: id }) => ({ id, name: payload.text })));
  for (const [i, { payload }] of visitors.entries()) {
    expect.soft(shown[i]!.header, payload.text).toBe(payload.text);
    expect.soft(shown[i]!.tab, payload.text).toBe(payload.text);
    // In the panel: the heading, the current page's title, the attribute, and the email when it is one.
    expect.soft((shown[i]!.panel ?? '').split(payload.text).length - 1, payload.text).toBeGreaterThanOrEqual(validEmail(payload.text) ? 4 : 3);
  }
  await settle(consolePage);
  expect.soft(await unexpectedMarkup(consolePage.mainFrame(), CONSOLE_USER_CONTENT)).toEqual([]);
}, 120_000); // Ninety-odd conversations opened one by one: room for a loaded machine.
