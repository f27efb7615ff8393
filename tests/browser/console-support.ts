/**
 * Shared by the console browser tests: a spawned server, Chromium, pages that record their errors, the
 * admin API over fetch, socket.io-client visitors, and stubs that record chimes and desktop notifications.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll } from 'vitest';
import type { InviteResult, SiteAdminDTO, WidgetSettingsPatch } from '../../server/contract/admin.ts';
import type { Ack } from '../../server/contract/errors.ts';
import type { AgentSession, VisitorSessionResponse } from '../../server/contract/http.ts';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.ts';
import { launchChromium } from '../support/chromium.ts';

export const ADMIN = { email: 'admin@example.com', password: 'console-admin-password' };

export interface ConsoleTestEnv {
  server: SpawnedServer;
  browser: Browser;
  pageErrors: string[];
  adminToken: string;
  /** The demo site bootstrap created. */
  site: SiteAdminDTO;
}

/** `settings`: more for the server (e.g. a short ACCESS_TOKEN_TTL_S). */
async function startEnv(settings: Record<string, string>): Promise<ConsoleTestEnv> {
  if (!existsSync(new URL('../../dist/console/index.html', import.meta.url))) throw new Error('dist/ is missing: run `npm run build`');
  const [server, browser] = await Promise.all([
    spawnServer({ env: { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, REQUEUE_GRACE_MS: '60000', ...settings } }),
    launchChromium(),
  ]);
  const adminToken = (await login(server.url, ADMIN.email, ADMIN.password)).accessToken;
  const [site] = await api<SiteAdminDTO[]>(server.url, adminToken, 'GET', '/sites');
  return { server, browser, pageErrors: [], adminToken, site: site! };
}

/**
 * The file's environment, started before its tests and stopped after them, with the sockets they open (pushed
 * to `sockets`), which are disconnected first. `settings` may be a function, read as the environment starts, for
 * settings known only then (the port of a relay an earlier `beforeAll` started).
 */
export function useConsoleEnv(settings: Record<string, string> | (() => Record<string, string>) = {}): { env: () => ConsoleTestEnv; sockets: Socket[] } {
  let env: ConsoleTestEnv | undefined;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    env = await startEnv(typeof settings === 'function' ? settings() : settings);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await env?.browser.close();
    await env?.server.stop();
  });
  return { env: () => env!, sockets };
}

export async function login(url: string, email: string, password: string): Promise<AgentSession> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${res.status}: ${await res.text()}`);
  return (await res.json()) as AgentSession;
}

export async function api<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}/api/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  if (!res.ok) throw new Error(`${method} ${path} ${res.status}: ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export async function createAgent(env: ConsoleTestEnv, name: string, capacity = 3): Promise<{ email: string; password: string; id: string }> {
  const email = `${name.toLowerCase()}@example.com`;
  const password = `${name.toLowerCase()}-password`;
  const { agent } = await api<InviteResult>(env.server.url, env.adminToken, 'POST', '/agents', {
    email,
    name,
    role: 'agent',
    capacity,
    siteIds: [env.site.id],
    password,
  });
  return { email, password, id: agent.id };
}

/** Changes the demo site's widget settings, as the admin does. */
export async function setWidgetSettings(env: ConsoleTestEnv, widgetSettings: WidgetSettingsPatch): Promise<void> {
  await api(env.server.url, env.adminToken, 'PATCH', `/sites/${env.site.id}`, { widgetSettings });
}

/**
 * Records what the console does to get attention: chimes (oscillators started) and desktop notifications,
 * and lets the test hide the page (`window.__setHidden(true)`).
 */
const ALERT_STUBS = `
  window.__chimes = 0;
  window.__notifications = [];
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get() { return hidden ? 'hidden' : 'visible'; } });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get() { return hidden; } });
  window.__setHidden = (value) => { hidden = value; document.dispatchEvent(new Event('visibilitychange')); };
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__chimes++; return start.apply(this, args); };
  class FakeNotification {
    static permission = 'granted';
    static requestPermission() { return Promise.resolve('granted'); }
    constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
    close() {}
  }
  window.Notification = FakeNotification;
`;

/** A page in a context of its own (own cookies), recording uncaught errors. */
export async function openPage(env: ConsoleTestEnv, path: string, options: { context?: BrowserContext; locale?: string } = {}): Promise<Page> {
  const context = options.context ?? (await env.browser.newContext({ locale: options.locale ?? 'en-US', viewport: { width: 1280, height: 800 } }));
  await context.addInitScript(ALERT_STUBS);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => env.pageErrors.push(`${path}: ${error.message}`));
  await page.goto(`${env.server.url}${path}`);
  return page;
}

export async function signIn(env: ConsoleTestEnv, credentials: { email: string; password: string }, options: { context?: BrowserContext; locale?: string } = {}): Promise<Page> {
  const page = await openPage(env, '/console/', options);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
  return page;
}

/** Opens a section of the console from its navigation (Sites, Reports, …). */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true }).click();
}

export async function setStatus(page: Page, status: 'Online' | 'Away'): Promise<void> {
  await page.getByLabel('My status').selectOption({ label: status });
  await page.locator(`.presence.${status.toLowerCase()}`).waitFor();
}

/** The visitor on the demo page, with the chat panel open. */
export async function openWidget(env: ConsoleTestEnv): Promise<{ visitor: Page; chat: FrameLocator }> {
  const visitor = await openPage(env, '/');
  await visitor.getByRole('button', { name: 'Open chat' }).click();
  return { visitor, chat: visitor.frameLocator('parley-widget iframe') };
}

/** A socket.io-client connection to the server's `namespace`, sent from `origin`, once it is connected. */
async function connectSocket(env: ConsoleTestEnv, namespace: '/agent' | '/visitor', token: string, origin: string): Promise<Socket> {
  const socket = io(`${env.server.url}${namespace}`, { transports: ['websocket'], auth: { token }, extraHeaders: { origin }, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * A visitor driven from Node, by default of the demo site through the server's own origin (as the widget frame
 * connects).
 */
export async function socketVisitor(
  env: ConsoleTestEnv,
  { siteKey = env.site.publicKey, origin = env.server.url }: { siteKey?: string; origin?: string } = {},
): Promise<{ socket: Socket; visitorId: string }> {
  const res = await fetch(`${env.server.url}/api/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ siteKey }),
  });
  const session = (await res.json()) as VisitorSessionResponse;
  return { socket: await connectSocket(env, '/visitor', session.token, origin), visitorId: session.visitorId };
}

/** An agent's console connection (the admin's too) driven from Node. */
export async function socketAgent(env: ConsoleTestEnv, credentials: { email: string; password: string }): Promise<Socket> {
  const { accessToken } = await login(env.server.url, credentials.email, credentials.password);
  return connectSocket(env, '/agent', accessToken, env.server.url);
}

export async function ok<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const ack = (await (socket.timeout(5000) as Socket).emitWithAck(event, payload)) as Ack<T>;
  if (!ack.ok) throw new Error(`${event}: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
