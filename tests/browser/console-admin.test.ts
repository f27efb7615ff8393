/**
 * The admin side of the console in Chromium: a new site whose snippet works on another origin, the
 * visitor context and typing both ways on it, an invitation accepted in another browser, canned
 * responses, the staffing view, and the console in Simplified Chinese.
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import type { SiteAdminDTO } from '../../server/contract/admin.ts';
import type { ConversationDTO, MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult, TypingEvent } from '../../server/contract/events.ts';
import { ADMIN, login, ok, openPage, openSection, signIn, socketAgent, socketVisitor, useConsoleEnv } from './console-support.ts';
import { send } from './widget-harness.ts';
import { HEARD_WITHIN_MS, nextEvent } from '../support/socket-waits.ts';

const SHOP = 'http://shop.test';
const { env, sockets } = useConsoleEnv();
let adminPage: Page;
let siteKey = '';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });

test('an admin creates a site, and its snippet works on a page of another origin', async () => {
  adminPage = await signIn(env(), ADMIN);
  await openSection(adminPage, 'Sites');
  await adminPage.getByRole('button', { name: 'New site' }).click();
  await adminPage.getByLabel('Site name').fill('Shop');
  await adminPage.getByLabel('Allowed origins').fill(SHOP);
  await adminPage.getByLabel('Team name').fill('Shop helpers');
  await adminPage.getByLabel('Typing preview').check();
  await adminPage.getByLabel('Email unread agent replies to the visitor after (minutes)').fill('7');
  await adminPage.getByLabel("Email messages left while nobody is online to the site's agents").uncheck();
  await adminPage.getByRole('button', { name: 'Create site' }).click();
  const snippetBox = adminPage.getByLabel('Snippet');
  await snippetBox.waitFor();
  const snippet = await snippetBox.inputValue();
  expect(snippet).toMatch(new RegExp(`^<script async src="${env().server.url}/widget.js" data-site="site_[\\w-]+"></script>$`));
  siteKey = /data-site="([^"]+)"/.exec(snippet)![1]!;
  const { accessToken } = await login(env().server.url, ADMIN.email, ADMIN.password);
  const sites = (await (await fetch(`${env().server.url}/api/admin/sites`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as SiteAdminDTO[];
  expect(sites.find((site) => site.publicKey === siteKey)!.widgetSettings).toMatchObject({ emailAfterMinutes: 7, emailOfflineMessagesToAgents: false });
  await adminPage.getByRole('list', { name: 'Sites' }).getByRole('button', { name: /Shop/ }).waitFor();

  // The shop's page, on its own origin, with nothing but the pasted snippet.
  const context = await env().browser.newContext({ locale: 'en-US' });
  await context.route(`${SHOP}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1>${snippet}</body></html>` }),
  );
  const shop = await openPage(env(), '/healthz', { context });
  await shop.goto(`${SHOP}/`);
  await shop.getByRole('button', { name: 'Open chat' }).click();
  const chat = shop.frameLocator('parley-widget iframe');
  await chat.getByText('Shop helpers').waitFor();
  await send(chat, 'Hi from the shop');

  // The admin answers every site, the new one included, from the console they already had open.
  await openSection(adminPage, 'Conversations');
  await nav(adminPage).getByRole('button', { name: /Hi from the shop/ }).click();
  await adminPage.getByRole('log').getByText('Hi from the shop').waitFor();
  // This server has no SMTP_URL: the admin is told how to turn email on.
  await adminPage.getByRole('complementary', { name: 'Visitor' }).getByText('Email delivery is off: set SMTP_URL').waitFor();
  const claim = adminPage.getByRole('button', { name: 'Claim', exact: true });
  if (await claim.isVisible()) await claim.click();
  await adminPage.getByLabel('Reply', { exact: true }).fill('Welcome to the shop!');
  await adminPage.getByRole('button', { name: 'Send', exact: true }).click();
  await chat.getByRole('log').getByText('Welcome to the shop!').waitFor();
  await adminPage.getByRole('button', { name: 'Resolve', exact: true }).click();
  await adminPage.getByRole('log').getByText('Resolved').waitFor();
  await context.close();
  expect(env().pageErrors).toEqual([]);
});

test('the visitor beside the conversation: context live, typing both ways with preview, read receipts, older pages', async () => {
  // A visitor of the shop site from the test above, with the shop's origin.
  const { socket: visitor } = await socketVisitor(env(), { siteKey, origin: SHOP });
  sockets.push(visitor);
  await ok(visitor, 'visitor:update', {
    name: 'Mia Chen',
    email: 'mia@example.com',
    attributes: { plan: 'pro', orders: 3 },
    context: {
      locale: 'zh-CN',
      timezone: 'Asia/Shanghai',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      referrer: 'https://www.google.com/',
      pageUrl: `${SHOP}/pricing`,
      pageTitle: 'Pricing',
    },
  });
  const first = await ok<SendResult>(visitor, 'message:send', { clientId: crypto.randomUUID(), body: 'line 1' });
  const conversationId = first.conversation.id;
  // Enough history for two pages: notes from a colleague's console (visitors may not send this fast).
  const colleague = await socketAgent(env(), ADMIN);
  sockets.push(colleague);
  for (let i = 2; i <= 55; i++) {
    await ok(colleague, 'message:send', { conversationId, clientId: crypto.randomUUID(), body: `line ${i}`, note: true });
  }

  await nav(adminPage).getByRole('button', { name: /^Mia Chen/ }).first().click();
  const log = adminPage.getByRole('log');
  await log.getByText('line 55', { exact: true }).waitFor();
  expect(await log.getByText('line 1', { exact: true }).count()).toBe(0);
  await log.getByRole('button', { name: 'Load older messages' }).click();
  await log.getByText('line 1', { exact: true }).waitFor();

  const context = adminPage.getByRole('complementary', { name: 'Visitor' });
  await context.getByText('mia@example.com').waitFor();
  await context.getByText('Chrome 120 · Windows 10/11').waitFor();
  await context.getByRole('link', { name: 'Pricing' }).first().waitFor();
  await context.getByText(/Asia\/Shanghai/).waitFor();
  await context.getByText('pro', { exact: true }).waitFor();
  await context.getByText(/google\.com/).waitFor();

  // The visitor moves to another page: the panel follows live.
  await ok(visitor, 'visitor:update', { context: { pageUrl: `${SHOP}/checkout`, pageTitle: 'Checkout' } });
  await context.getByRole('link', { name: 'Checkout' }).first().waitFor();

  // Visitor typing, with the draft (the site turned preview on).
  await ok(visitor, 'typing', { conversationId, typing: true, preview: 'Is there a student disc' });
  await adminPage.getByText('Mia Chen is typing…').waitFor();
  await adminPage.getByText('“Is there a student disc”').waitFor();

  // Agent typing reaches the visitor.
  const claim = adminPage.getByRole('button', { name: 'Claim', exact: true });
  if (await claim.isVisible()) await claim.click();
  await adminPage.getByRole('button', { name: 'Resolve', exact: true }).waitFor();
  const agentTyping = nextEvent<TypingEvent>(visitor, 'typing', (e) => e.typing, HEARD_WITHIN_MS);
  await adminPage.getByLabel('Reply', { exact: true }).pressSequentially('Yes, 10', { delay: 20 });
  expect((await agentTyping).conversationId).toBe(conversationId);

  // Read receipts: Sent, then Read once the visitor has seen it.
  await adminPage.getByLabel('Reply', { exact: true }).press('End');
  await adminPage.getByLabel('Reply', { exact: true }).pressSequentially('% off.');
  await adminPage.getByRole('button', { name: 'Send', exact: true }).click();
  const reply = log.locator('.message.agent', { hasText: 'Yes, 10% off.' });
  await expect.poll(() => reply.locator('.state').textContent(), { timeout: 10_000 }).toMatch(/Sent/);
  const { messages } = await ok<{ messages: { seq: number }[] }>(visitor, 'history:get', { conversationId, afterSeq: 50 });
  await ok(visitor, 'conversation:read', { conversationId, seq: messages.at(-1)!.seq });
  await expect.poll(() => reply.locator('.state').textContent(), { timeout: 10_000 }).toMatch(/Read/);

  // An image attachment: uploaded, sent, shown inline to the agent and delivered to the visitor.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  const delivered = nextEvent<MessageDTO>(visitor, 'message:new', (m) => m.attachments.length > 0, HEARD_WITHIN_MS);
  await adminPage.locator('.composer input[type=file]').setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: png });
  await adminPage.locator('.pending-files li.ready').waitFor();
  await adminPage.getByRole('button', { name: 'Send', exact: true }).click();
  await log.getByRole('img', { name: 'dot.png' }).waitFor();
  expect((await delivered).attachments[0]!.fileName).toBe('dot.png');

  // Labels.
  await adminPage.getByLabel('Add label').fill('Billing');
  await adminPage.getByLabel('Add label').press('Enter');
  await adminPage.getByRole('list', { name: 'Labels' }).getByText('billing').waitFor();

  // Search finds her by email; a second tab opens; her new message marks her tab unread meanwhile.
  await adminPage.getByLabel('Search conversations').fill('mia@example.com');
  await adminPage.getByLabel('Search conversations').press('Enter');
  await nav(adminPage).getByRole('region', { name: /Search results/ }).getByRole('button', { name: /^Mia Chen/ }).waitFor();
  await adminPage.getByLabel('Search conversations').fill('Welcome to the shop');
  await adminPage.getByLabel('Search conversations').press('Enter');
  await nav(adminPage).getByRole('region', { name: /Search results/ }).getByRole('button', { name: /Welcome to the shop/ }).click();
  await adminPage.getByRole('log').getByText('Hi from the shop').waitFor();
  await adminPage.getByLabel('Search conversations').press('Escape');
  const tabs = adminPage.getByRole('navigation', { name: 'Open conversations' });
  await ok(visitor, 'message:send', { conversationId, clientId: crypto.randomUUID(), body: 'Still there?' });
  const miaTab = tabs.getByRole('button', { name: /^(1 unread )?Mia Chen$/ });
  await expect.poll(() => miaTab.textContent(), { timeout: 10_000 }).toMatch(/1 unread/);
  await miaTab.click();
  await adminPage.getByRole('log').getByText('Still there?').waitFor();
  await expect.poll(() => tabs.getByRole('button', { name: /unread/ }).count(), { timeout: 10_000 }).toBe(0);
  const updated = nextEvent<ConversationDTO>(visitor, 'conversation:updated', undefined, HEARD_WITHIN_MS);
  await adminPage.getByRole('button', { name: 'Resolve', exact: true }).click();
  expect((await updated).status).toBe('resolved');
  await adminPage.getByRole('tab', { name: /Resolved/ }).click();
  await nav(adminPage).getByRole('region', { name: /Resolved/ }).getByRole('button', { name: /^Mia Chen/ }).waitFor();
  await adminPage.getByRole('button', { name: 'Reopen', exact: true }).click();
  await adminPage.getByRole('log').getByText('Reopened by Admin').waitFor();
  expect(env().pageErrors).toEqual([]);
});

test('an invited agent sets a password through the one-time link and lands in the console', async () => {
  await openSection(adminPage, 'Agents');
  const form = adminPage.getByRole('form', { name: 'Add an agent' });
  await form.getByLabel('Email').fill('ivy@example.com');
  await form.getByLabel('Name').fill('Ivy');
  await form.getByLabel('Capacity').fill('4');
  await form.getByRole('button', { name: 'Invite agent' }).click();
  const link = await form.getByLabel('Invite link', { exact: true }).inputValue();
  expect(link).toMatch(new RegExp(`^${env().server.url}/console/invite#token=[\\w-]{40,}$`));
  await adminPage.getByRole('row', { name: /Ivy/ }).waitFor();

  const ivy = await openPage(env(), '/healthz');
  await ivy.goto(link);
  await ivy.getByLabel('New password').fill('ivy-secret-password');
  await ivy.getByLabel('Repeat password').fill('ivy-secret-password');
  await ivy.getByRole('button', { name: 'Set password and sign in' }).click();
  await ivy.getByRole('navigation', { name: 'Conversations' }).waitFor();
  await ivy.getByText('0 of 4 chats').waitFor();
  expect(new URL(ivy.url()).hash).toBe('');

  // The link worked once.
  const again = await openPage(env(), '/healthz');
  await again.goto(link);
  await again.getByLabel('New password').fill('another-password');
  await again.getByLabel('Repeat password').fill('another-password');
  await again.getByRole('button', { name: 'Set password and sign in' }).click();
  await again.getByRole('alert').getByText(/invalid, expired or already used/).waitFor();
  expect(env().pageErrors).toEqual([]);
});

test('canned responses are created and edited from their screen', async () => {
  await openSection(adminPage, 'Canned responses');
  const form = adminPage.getByRole('form', { name: 'New canned response' });
  await form.getByLabel('Site').selectOption({ label: 'Shop' });
  await form.getByLabel('Shortcut').fill('ship');
  await form.getByLabel('Title').fill('Shipping');
  await form.getByLabel('Text').fill('We ship within 2 days.');
  await form.getByRole('button', { name: 'Add canned response' }).click();
  const row = adminPage.getByRole('row', { name: /\/ship/ });
  await row.getByText('We ship within 2 days.').waitFor();
  await row.getByRole('button', { name: 'Edit /ship' }).click();
  const edit = adminPage.getByRole('form', { name: 'Edit /ship' });
  await edit.getByLabel('Text').fill('We ship tomorrow.');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await row.getByText('We ship tomorrow.').waitFor();
  expect(env().pageErrors).toEqual([]);
});

test('Reports show staffing per hour of the week: agents needed beside agents who answered, at the service level typed in', async () => {
  await openSection(adminPage, 'Reports');
  const staffing = adminPage.getByRole('region', { name: 'Staffing by hour of the week' });
  const grid = staffing.getByRole('table', { name: 'Agents needed / agents who answered' });
  await grid.waitFor();
  expect(await grid.getByRole('row').count()).toBe(8);
  // This hour (in the browser's zone, which Reports use) holds the conversation answered above.
  const [day, hour] = await adminPage.evaluate(() => [(new Date().getDay() + 6) % 7, new Date().getHours()]);
  const cell = grid.getByRole('row').nth(1 + day!).getByRole('cell').nth(hour!);
  await expect.poll(() => cell.textContent()).toMatch(/^(\d+|—)\/0\.\d$/);
  await staffing.getByText(/conversations in four weeks/).waitFor();

  const asked = adminPage.waitForResponse((r) => r.url().includes('/api/admin/reports/staffing') && r.url().includes('serviceLevel=95') && r.url().includes('seconds=10'));
  await staffing.getByLabel('Service level (%)').fill('95');
  await staffing.getByLabel('Assigned within (seconds)').fill('10');
  expect((await asked).status()).toBe(200);
  expect(env().pageErrors).toEqual([]);
});

test('the console speaks Simplified Chinese', async () => {
  const page = await openPage(env(), '/console/', { locale: 'zh-CN' });
  await page.getByLabel('邮箱').fill(ADMIN.email);
  await page.getByLabel('密码').fill(ADMIN.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('navigation', { name: '会话' }).getByRole('region', { name: /排队中/ }).waitFor();
  await page.getByRole('link', { name: '报表' }).click();
  await page.getByRole('heading', { name: '报表' }).waitFor();
  await page.getByRole('heading', { name: '按每周各小时的排班需求' }).waitFor();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  expect(env().pageErrors).toEqual([]);
});

test('the site form refuses a wildcard origin with the reason, and creates nothing', async () => {
  const page = await signIn(env(), ADMIN);
  await openSection(page, 'Sites');
  await page.getByRole('button', { name: 'New site' }).click();
  await page.getByLabel('Site name').fill('Wildcard');
  await page.getByLabel('Allowed origins').fill('https://*');
  await page.getByRole('button', { name: 'Create site' }).click();
  await page.getByRole('alert').getByText(/no wildcard, path/).waitFor();
  expect(await page.getByRole('list', { name: 'Sites' }).getByRole('button', { name: /Wildcard/ }).count()).toBe(0);
  await page.close();
});
