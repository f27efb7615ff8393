/**
 * What the widget's browser tests share: the real server, Chromium, a customer's site at
 * http://shop.test (another origin than the chat server; Playwright serves its pages) and agents
 * driven through socket.io-client. Needs `npm run build` and Chromium at /usr/bin/chromium.
 */
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, BrowserContextOptions, Frame, FrameLocator, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import type { CreateSiteRequest, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { Ack } from '../../server/contract/errors.ts';
import type { AgentSession } from '../../server/contract/http.ts';
import { explained } from '../support/explained.ts';
import { nextAgentHeard } from '../support/agent-messages.ts';
import { HEARD_WITHIN_MS, nextEvent } from '../support/socket-waits.ts';
import { parseLogLine, spawnServer, type SpawnedServer } from '../support/spawn-server.ts';
import { launchChromium } from '../support/chromium.ts';

export const HOST_ORIGIN = 'http://shop.test';
const ADMIN = { email: 'admin@example.com', password: 'widget-tests-password' };
export const NONCE = 'r4nd0m-n0nce';
const run = promisify(execFile);

export interface TestSite {
  id: string;
  key: string;
  identitySecret: string;
}

/** How the shop's pages are built: which site they embed, and how hostile they are. */
export interface HostPageOptions {
  site: TestSite;
  /** The one-line stub before the snippet, so the page can call Parley before widget.js has loaded. */
  stub?: boolean;
  /** Inline script (nonce'd) run after the stub, e.g. `Parley('identify', ...)`. */
  script?: string;
  /** `* { all: unset !important }`, hidden divs, a full-screen overlay at the highest z-index, html font-size 4px. */
  hostileCss?: boolean;
  /** Nonce + strict-dynamic, no unsafe-inline, no unsafe-eval, Trusted Types, nothing else allowed. */
  strictCsp?: boolean;
  /** false: the same page without the snippet (for comparisons). */
  widget?: boolean;
}

const HOSTILE_CSS = `* { all: unset !important; }
div { display: none !important; }
html { font-size: 4px !important; }
aside { display: block !important; position: fixed !important; inset: 0 !important; z-index: 2147483647 !important; }
iframe, button, span { display: none !important; }`;

function hostPage(serverUrl: string, path: string, options: HostPageOptions): string {
  const nonce = `nonce="${NONCE}"`;
  const stub = options.stub ? `<script ${nonce}>window.Parley=window.Parley||function(){(Parley.q=Parley.q||[]).push(arguments)}</script>` : '';
  const script = options.script ? `<script ${nonce}>${options.script}</script>` : '';
  const snippet = options.widget === false ? '' : `<script async ${nonce} src="${serverUrl}/widget.js" data-site="${options.site.key}"></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop ${path}</title>
${options.hostileCss ? `<style ${nonce}>${HOSTILE_CSS}</style>` : ''}
</head>
<body>
<main>
<h1>Shop</h1>
<div class="banner">Free shipping over €50</div>
<p>Everything for your garden. <a href="/garden">Garden</a> · <a href="/">Home</a></p>
<input aria-label="Search the shop">
${'<p>Plants, pots and tools for every season.</p>'.repeat(20)}
</main>
<aside></aside>
${stub}${script}${snippet}
</body>
</html>`;
}

function strictCsp(serverUrl: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${NONCE}' 'strict-dynamic'`,
    `style-src 'nonce-${NONCE}'`,
    `connect-src ${serverUrl}`,
    `frame-src ${serverUrl}`,
    "base-uri 'none'",
    "object-src 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

/** An agent connected to /agent with socket.io-client, online for the sites given at creation. */
export class TestAgent {
  constructor(
    readonly socket: Socket,
    readonly name: string,
    readonly id: string,
  ) {}

  async command<T>(event: string, payload: unknown): Promise<T> {
    const ack = (await this.socket.timeout(5000).emitWithAck(event, payload)) as Ack<T>;
    if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
    return ack.data;
  }

  /** The first `event` matching `where`, from now on; the timeout counts from the first await. */
  next<T>(event: string, where: (value: T) => boolean = () => true, timeoutMs = HEARD_WITHIN_MS): PromiseLike<T> {
    return nextEvent(this.socket, event, where, timeoutMs);
  }

  /** Waits for the visitor's message `body` and answers it. */
  async replyTo(visitorMessage: PromiseLike<MessageDTO>, body: string): Promise<MessageDTO> {
    const { conversationId } = await visitorMessage;
    const { message } = await this.command<{ message: MessageDTO }>('message:send', { conversationId, clientId: crypto.randomUUID(), body });
    return message;
  }

  /** The visitor's message `body`: in 'messages:new', or, the first of a conversation, inside its summary. */
  messageFromVisitor(body: string): PromiseLike<MessageDTO> {
    return nextAgentHeard(this.socket, (m) => m.authorKind === 'visitor' && m.body === body, HEARD_WITHIN_MS);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** How many of the server's last warnings and errors are kept, for failure messages. */
const KEPT_SERVER_WARNINGS = 50;

export class WidgetHarness {
  readonly pageErrors: string[] = [];
  readonly #agents: TestAgent[] = [];

  private constructor(
    readonly server: SpawnedServer,
    readonly browser: Browser,
    /** The site made with the CLI, as a site owner would. */
    readonly site: TestSite,
    readonly adminToken: string,
    /** The server's last warnings and errors (pino level 40 and up), oldest first, for failure messages. */
    readonly serverWarnings: readonly string[],
  ) {}

  /** `env`: server settings on top of the defaults (e.g. SMTP_URL to turn email on). */
  static async start(env: Record<string, string> = {}): Promise<WidgetHarness> {
    if (!existsSync(new URL('../../dist/widget/widget.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build`');
    // Chromium needs neither the site nor the server: it starts while they do.
    const launching = launchChromium();
    try {
      const [browser, started] = await Promise.all([launching, WidgetHarness.#startServer(env)]);
      return new WidgetHarness(started.server, browser, started.site, started.adminToken, started.warnings);
    } catch (error) {
      await (await launching.catch(() => null))?.close();
      throw error;
    }
  }

  /** The CLI's site, then the server on its database, signed in as the admin. */
  static async #startServer(env: Record<string, string>) {
    // The site comes from the CLI, as a site owner makes it. It runs before the server starts: against a
    // running server's SQLite file the CLI's migration step times out (reported as a server bug).
    const dataDir = await mkdtemp(join(tmpdir(), 'parley-widget-'));
    const cliEnv = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: `file:${join(dataDir, 'parley.db')}` };
    const { stdout } = await run('npm', ['run', '--silent', 'cli', '--', 'site', 'create', '--name', 'Shop', '--origin', HOST_ORIGIN, '--json'], { env: cliEnv });
    const created = JSON.parse(stdout) as { id: string; key: string; identitySecret: string };
    const warnings: string[] = [];
    const keepWarning = (line: string) => {
      const level = (parseLogLine(line)?.level as number | undefined) ?? 0;
      if (level < 40) return;
      warnings.push(line);
      if (warnings.length > KEPT_SERVER_WARNINGS) warnings.shift();
    };
    const server = await spawnServer({ dataDir, env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ...env }, onLine: keepWarning });
    const admin = await login(server.url, ADMIN);
    return { server, site: { id: created.id, key: created.key, identitySecret: created.identitySecret }, adminToken: admin.accessToken, warnings };
  }

  async stop(): Promise<void> {
    for (const agent of this.#agents) agent.close();
    await this.browser?.close();
    await this.server?.stop();
    await rm(this.server.dataDir, { recursive: true, force: true });
  }

  async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.server.url}/api/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** A site of its own, so a test's queue, agents and settings don't touch the others'. */
  async createSite(overrides: Partial<CreateSiteRequest> = {}): Promise<TestSite> {
    const site = await this.admin<SiteAdminDTO>('POST', '/sites', { name: 'Shop', allowedOrigins: [HOST_ORIGIN], ...overrides });
    return { id: site.id, key: site.publicKey, identitySecret: site.identitySecret };
  }

  /** A new agent serving `site`, connected and online. */
  async connectAgent(name: string, site: TestSite, extra: { capacity?: number; avatarUrl?: string } = {}): Promise<TestAgent> {
    const email = `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const password = `${name}-password-1`;
    const { agent } = await this.admin<{ agent: { id: string } }>('POST', '/agents', {
      email,
      name,
      role: 'agent',
      capacity: extra.capacity ?? 3,
      siteIds: [site.id],
      password,
    });
    if (extra.avatarUrl) await this.admin('PATCH', `/agents/${agent.id}`, { avatarUrl: extra.avatarUrl });
    const session = await login(this.server.url, { email, password });
    const socket = io(`${this.server.url}/agent`, {
      transports: ['websocket'],
      auth: { token: session.accessToken },
      extraHeaders: { origin: this.server.url },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const connected = new TestAgent(socket, name, agent.id);
    await connected.command('agent:setStatus', { status: 'online' });
    this.#agents.push(connected);
    return connected;
  }

  /** A browser context (own storage) whose requests to http://shop.test get the shop's pages. */
  async newContext(page: HostPageOptions, options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({ locale: 'en-US', ...options });
    await context.route(`${HOST_ORIGIN}/**`, (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/favicon.ico') return route.fulfill({ status: 404 });
      const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
      if (page.strictCsp) headers['content-security-policy'] = strictCsp(this.server.url);
      return route.fulfill({ status: 200, headers, body: hostPage(this.server.url, url.pathname, page) });
    });
    return context;
  }

  /** A shop page in `context` (a new one when absent), with uncaught errors recorded. */
  async openShop(context: BrowserContext, path = '/'): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => this.pageErrors.push(`${page.url()}: ${error.message}`));
    await page.goto(`${HOST_ORIGIN}${path}`);
    return page;
  }
}

export async function login(serverUrl: string, credentials: { email: string; password: string }): Promise<AgentSession> {
  const response = await fetch(`${serverUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (!response.ok) throw new Error(`login ${response.status}: ${await response.text()}`);
  return (await response.json()) as AgentSession;
}

/** The launcher, whichever its unread count. */
export const launcher = (page: Page) => page.getByRole('button', { name: /^(Open chat|Close chat)/ });

export const chatFrame = (page: Page): FrameLocator => page.frameLocator('parley-widget iframe');

/** The chat frame as a Playwright Frame, for evaluating scripts inside it. */
export async function frameOf(page: Page, serverUrl: string): Promise<Frame> {
  await page.locator('parley-widget iframe').waitFor({ state: 'attached' });
  for (;;) {
    const frame = page.frames().find((f) => f.url().startsWith(`${serverUrl}/frame/`));
    if (frame) return frame;
    await page.waitForTimeout(50);
  }
}

export async function openChat(page: Page): Promise<FrameLocator> {
  await page.getByRole('button', { name: /^Open chat/ }).click();
  return chatFrame(page);
}

/** The visitor's own messages in the transcript holding `text`: confirmed by the server, or still sending. */
const visitorMessages = (chat: FrameLocator, text: string, state: 'sent' | 'sending') =>
  chat.getByRole('log').locator(state === 'sent' ? 'li.message.mine:not(.sending, .failed)' : 'li.message.mine.sending', { hasText: text });

/**
 * Types `text` into the Message box, presses Send and waits for one more of the visitor's messages with that
 * text in state `state`. Checks the text really is in the box first: keystrokes that went to the host page
 * leave it empty, an empty box sends nothing, and that it emptied would prove nothing.
 */
async function submit(chat: FrameLocator, text: string, state: 'sent' | 'sending'): Promise<void> {
  const box = chat.getByRole('textbox', { name: 'Message' });
  const shown = visitorMessages(chat, text, state);
  const before = await shown.count();
  await box.fill(text);
  expect(await box.inputValue(), 'the Message box holds what was typed').toBe(text);
  await chat.getByRole('button', { name: 'Send' }).click();
  const transcript = () => chat.getByRole('log').locator('li.message.mine').evaluateAll((items) => items.slice(-3).map((li) => `${li.className}: ${li.textContent}`));
  await explained(eventually(() => shown.count()).toBeGreaterThan(before), async () => `"${text}" not ${state}; last lines ${JSON.stringify(await transcript())}`);
}

/** Sends `text` as the visitor and waits until the transcript shows it sent (not "Sending…", not failed). */
export const send = (chat: FrameLocator, text: string): Promise<void> => submit(chat, text, 'sent');

/** Sends `text` where the server cannot confirm it (offline, or its packets dropped): the transcript shows "Sending…". */
export const sendUnconfirmed = (chat: FrameLocator, text: string): Promise<void> => submit(chat, text, 'sending');

/** Hex HMAC-SHA256 of the user id with the site's identity secret, as the site's backend computes it. */
export function identityHash(userId: string, secret: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

/** expect.poll with a timeout for a loaded machine: widget, frame and server take a while to start. */
export const eventually = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: 15_000, interval: 100 });
