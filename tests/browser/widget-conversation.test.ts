/**
 * The visitor's conversation through the widget on a customer's page (another origin than the chat
 * server), with an agent on socket.io-client: messages and their states, typing, rich text,
 * attachments, retry, reloads, navigation, tabs, and what comes after a resolve.
 */
import { readFile } from 'node:fs/promises';
import type { FrameLocator } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OUTBOX_RETRY_MS } from '../../client/outbox.ts';
import { COMMAND_TIMEOUT_MS } from '../../client/request.ts';
import type { ConversationDetail, TypingEvent, ReadEvent } from '../../server/contract/events.ts';
import { explained } from '../support/explained.ts';
import { eventually, HOST_ORIGIN, openChat, send, sendUnconfirmed, WidgetHarness } from './widget-harness.ts';

let h: WidgetHarness;

beforeAll(async () => {
  h = await WidgetHarness.start();
});

afterAll(async () => {
  await h?.stop();
});

const textbox = (chat: FrameLocator) => chat.getByRole('textbox', { name: 'Message' });
const log = (chat: FrameLocator) => chat.getByRole('log');
/** The meta line (time · state) of the visitor's message `body`. */
const stateOf = (chat: FrameLocator, body: string) => log(chat).locator('li.mine', { hasText: body }).locator('.meta');

/** The widget's status line, what its message box holds, and the transcript's last lines, for a failure message. */
async function widgetState(chat: FrameLocator): Promise<string> {
  const status = await chat.getByRole('status').innerText({ timeout: 1000 });
  const draft = await textbox(chat).inputValue({ timeout: 1000 }).catch(() => '(no message box)');
  const lines = await log(chat).locator('li').evaluateAll((items) => items.slice(-4).map((li) => `${li.className}: ${li.textContent}`));
  return `status line ${JSON.stringify(status)}, message box ${JSON.stringify(draft)}, last lines ${JSON.stringify(lines)}`;
}

/** 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

test('first message, reply and back: sending → sent → read, the agent by name and avatar, safe rich text', async () => {
  const site = await h.createSite();
  const avatarUrl = 'https://avatars.example/alice.png';
  const agent = await h.connectAgent('Alice', site, { avatarUrl });
  const context = await h.newContext({ site });
  await context.route(avatarUrl, (route) => route.fulfill({ contentType: 'image/png', body: PNG }));
  const page = await h.openShop(context);
  const chat = await openChat(page);
  // Focus moved into the panel, onto the message box.
  await eventually(() => textbox(chat).evaluate((el) => el === document.activeElement)).toBe(true);
  await chat.getByText('Hi! How can we help?').waitFor();

  const arrived = agent.messageFromVisitor('Hello from the shop');
  await send(chat, 'Hello from the shop');
  await stateOf(chat, 'Hello from the shop').getByText('Sent').waitFor();
  const first = await arrived;

  // Auto-assigned to the only agent online: a system line and the agent in the header.
  await log(chat).getByText('Alice joined the conversation').waitFor();
  await chat.locator('header').getByText('Alice').waitFor();
  expect(await chat.locator('header img.avatar').getAttribute('src')).toBe(avatarUrl);

  // The panel is open: the agent's reply is read at once, and the agent is told.
  const visitorRead = agent.next<ReadEvent>('conversation:read', (e) => e.by === 'visitor');
  await agent.replyTo(Promise.resolve(first), 'Welcome! **Bold**, _italic_, `code`, [our FAQ](https://example.com/faq), [bad](javascript:alert(1)) and https://example.com/x.');
  const reply = log(chat).locator('li', { hasText: 'Welcome!' });
  await reply.waitFor();
  expect(await reply.locator('strong').textContent()).toBe('Bold');
  expect(await reply.locator('em').textContent()).toBe('italic');
  expect(await reply.locator('code').textContent()).toBe('code');
  expect(await reply.getByRole('link').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href))).toEqual([
    'https://example.com/faq',
    'https://example.com/x',
  ]);
  await reply.getByText('[bad](javascript:alert(1))').waitFor();
  expect((await visitorRead).seq).toBeGreaterThanOrEqual(first.seq + 1);

  // The agent reads the visitor's message: its state turns to Read.
  await agent.command('conversation:read', { conversationId: first.conversationId, seq: first.seq + 1 });
  await stateOf(chat, 'Hello from the shop').getByText('Read').waitFor();
  expect(h.pageErrors).toEqual([]);
});

test('the pre-chat form asks what the site requires before the first message', async () => {
  const site = await h.createSite({ widgetSettings: { prechat: { enabled: true, nameRequired: false, emailRequired: true } } });
  const agent = await h.connectAgent('Gus', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  await chat.getByText('Before we start, please tell us who you are.').waitFor();
  await chat.getByRole('textbox', { name: 'Name (optional)' }).fill('Lin');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  expect(await chat.getByRole('textbox', { name: 'Email' }).evaluate((input: HTMLInputElement) => input.validity.valueMissing)).toBe(true);
  await chat.getByRole('textbox', { name: 'Email' }).fill('lin@example.com');
  await chat.getByRole('button', { name: 'Start chat' }).click();

  const arrived = agent.messageFromVisitor('Hello after the form');
  await send(chat, 'Hello after the form');
  const { conversationId } = await arrived;
  const { visitor } = await agent.command<ConversationDetail>('conversation:get', { conversationId });
  expect([visitor.name, visitor.email]).toEqual(['Lin', 'lin@example.com']);
  expect(h.pageErrors).toEqual([]);
});

test('typing shows both ways; with typing preview on, the visitor is told agents see the draft', async () => {
  const site = await h.createSite({ widgetSettings: { typingPreview: true } });
  const agent = await h.connectAgent('Bob', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  await chat.getByText('Agents can see what you type before you send it.').waitFor();
  const arrived = agent.messageFromVisitor('Hi');
  await send(chat, 'Hi');
  const { conversationId } = await arrived;

  const preview = agent.next<TypingEvent>('typing', (e) => e.typing && e.preview === 'Is it in stock?');
  await textbox(chat).pressSequentially('Is it in stock?', { delay: 20 });
  await preview;
  const stopped = agent.next<TypingEvent>('typing', (e) => !e.typing);
  await textbox(chat).fill('');
  await stopped;

  await agent.command('typing', { conversationId, typing: true });
  await chat.getByRole('status').getByText('Bob is typing…').waitFor();
  await agent.command('typing', { conversationId, typing: false });
  await chat.getByRole('status').getByText('Bob is typing…').waitFor({ state: 'detached' });
  expect(h.pageErrors).toEqual([]);
});

test('attachments: picked and pasted files upload, images preview, others link for download', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Carol', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  const arrived = agent.messageFromVisitor('Here is a photo');
  await send(chat, 'First');
  await stateOf(chat, 'First').getByText('Sent').waitFor();

  await chat.locator('input[type=file]').setInputFiles([{ name: 'leaf.png', mimeType: 'image/png', buffer: PNG }]);
  await chat.getByText('leaf.png').waitFor();
  // A pasted file: a ClipboardEvent carrying it, as the browser fires on Ctrl+V.
  await textbox(chat).evaluate((el) => {
    const data = new DataTransfer();
    data.items.add(new File(['order 1234'], 'order.txt', { type: 'text/plain' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await chat.getByText('order.txt').waitFor();
  // Too large for the site's limits: refused before uploading, with the reason.
  await chat.locator('input[type=file]').setInputFiles([{ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024) }]);
  await chat.getByText('Too large (at most 10.0 MB)').waitFor();
  await chat.getByRole('button', { name: 'Remove huge.png' }).click();

  await eventually(() => chat.locator('.drafts li.ready').count()).toBe(2);
  await send(chat, 'Here is a photo');
  const message = await arrived;
  expect(message.attachments.map((a) => a.fileName).sort()).toEqual(['leaf.png', 'order.txt']);

  const sent = log(chat).locator('li.mine', { hasText: 'Here is a photo' });
  await sent.getByRole('img', { name: 'leaf.png' }).waitFor();
  const fileLink = sent.getByRole('link', { name: /order\.txt/ });
  const href = await fileLink.getAttribute('href');
  expect(href?.startsWith(`${h.server.url}/api/attachments/`)).toBe(true);
  expect(await (await fetch(href!)).text()).toBe('order 1234');
  expect(h.pageErrors).toEqual([]);
});

test('a message that gets no answer is marked failed, and goes again once: with Retry, or by itself after a pause', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Dan', site);
  const context = await h.newContext({ site });
  // The page's clock runs on its own, but the test jumps it past the answer timeout and the retry pause.
  await context.clock.install();
  // Drops the visitor's message:send packets on their way to the server (all while `dropSends`, or the next one), so no answer comes.
  let dropSends = false;
  let dropNextSend = false;
  await context.routeWebSocket(/\/socket\.io\//, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((frame) => {
      const isSend = typeof frame === 'string' && frame.includes('"message:send"');
      if (isSend && (dropSends || dropNextSend)) dropNextSend = false;
      else server.send(frame);
    });
  });
  const page = await h.openShop(context);
  const chat = await openChat(page);
  await send(chat, 'One');
  await stateOf(chat, 'One').getByText('Sent').waitFor();

  // Dropped until the click, so the widget's own retry (5 s after the failure) cannot beat it on a slow machine.
  dropSends = true;
  await sendUnconfirmed(chat, 'Two');
  await stateOf(chat, 'Two').getByText('Sending…').waitFor();
  await context.clock.fastForward(COMMAND_TIMEOUT_MS);
  await stateOf(chat, 'Two').getByText('Not sent').waitFor({ timeout: 20_000 });
  const arrived = agent.messageFromVisitor('Two');
  dropSends = false;
  await log(chat).locator('li.mine', { hasText: 'Two' }).getByRole('button', { name: 'Retry' }).click();
  await arrived;
  await stateOf(chat, 'Two').getByText('Sent').waitFor();
  expect(await log(chat).getByText('Two', { exact: true }).count()).toBe(1);

  dropNextSend = true;
  await sendUnconfirmed(chat, 'Three');
  await context.clock.fastForward(COMMAND_TIMEOUT_MS);
  await stateOf(chat, 'Three').getByText('Not sent').waitFor({ timeout: 20_000 });
  const resent = agent.messageFromVisitor('Three');
  await context.clock.fastForward(OUTBOX_RETRY_MS);
  await stateOf(chat, 'Three').getByText('Sent').waitFor({ timeout: 20_000 });
  await resent;
  expect(await log(chat).getByText('Three', { exact: true }).count()).toBe(1);
  expect(h.pageErrors).toEqual([]);
});

test('reload and navigation keep the history; two tabs show the same messages live', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Erin', site);
  const context = await h.newContext({ site });
  const page = await h.openShop(context);
  let chat = await openChat(page);
  const arrived = agent.messageFromVisitor('Where is my order?');
  await send(chat, 'Where is my order?');
  await agent.replyTo(arrived, 'It ships today.');
  await log(chat).getByText('It ships today.').waitFor();

  await page.reload();
  chat = await openChat(page);
  await log(chat).getByText('Where is my order?').waitFor();
  await log(chat).getByText('It ships today.').waitFor();

  // Another page of the site: the conversation is there.
  await page.getByRole('button', { name: 'Close chat' }).click();
  await page.getByRole('link', { name: 'Garden' }).click();
  await page.waitForURL(`${HOST_ORIGIN}/garden`);
  chat = await openChat(page);
  await log(chat).getByText('It ships today.').waitFor();

  // A second tab of the same browser: same visitor, same conversation, both live.
  const second = await h.openShop(context, '/garden');
  const secondChat = await openChat(second);
  await log(secondChat).getByText('It ships today.').waitFor();
  const fromSecondTab = agent.messageFromVisitor('Sent from the second tab');
  await send(secondChat, 'Sent from the second tab');
  await explained(
    log(chat).getByText('Sent from the second tab').waitFor(),
    async () => `first tab: ${await widgetState(chat)}\nsecond tab: ${await widgetState(secondChat)}\nserver warnings:\n${h.serverWarnings.join('\n')}`,
  );
  await agent.replyTo(fromSecondTab, 'Seen in both tabs');
  await log(chat).getByText('Seen in both tabs').waitFor();
  await log(secondChat).getByText('Seen in both tabs').waitFor();
  expect(await log(chat).getByText('Sent from the second tab').count()).toBe(1);
  expect(h.pageErrors).toEqual([]);
});

test('after the agent resolves: rating with a comment, transcript download, history, and a new conversation', async () => {
  const site = await h.createSite();
  const agent = await h.connectAgent('Finn', site);
  const page = await h.openShop(await h.newContext({ site }));
  const chat = await openChat(page);
  const arrived = agent.messageFromVisitor('Can I return a pot?');
  await send(chat, 'Can I return a pot?');
  const { conversationId } = await arrived;
  await agent.replyTo(arrived, 'Yes, within 30 days.');
  await log(chat).getByText('Yes, within 30 days.').waitFor();
  await agent.command('conversation:resolve', { conversationId });
  await log(chat).getByText('The conversation was closed').waitFor();

  await chat.getByRole('radio', { name: '4 of 5' }).check();
  await chat.getByRole('textbox', { name: 'Comment (optional)' }).fill('Quick answer');
  await chat.getByRole('button', { name: 'Send rating' }).click();
  await chat.getByText('Thank you for your feedback!').waitFor();
  const detail = await agent.command<ConversationDetail>('conversation:get', { conversationId });
  expect([detail.conversation.rating, detail.conversation.ratingComment]).toEqual([4, 'Quick answer']);

  const [download] = await Promise.all([page.waitForEvent('download'), chat.getByRole('button', { name: 'Download transcript' }).click()]);
  const transcript = await readFile(await download.path(), 'utf8');
  expect(transcript).toContain('Conversation with Support');
  expect(transcript).toMatch(/You: Can I return a pot\?/);
  expect(transcript).toMatch(/Finn: Yes, within 30 days\./);

  await chat.getByRole('button', { name: 'Earlier conversations' }).click();
  await chat.getByRole('button', { name: /Closed · with Finn/ }).waitFor();
  await chat.getByRole('button', { name: 'Start a new conversation' }).click();
  await chat.getByText('Hi! How can we help?').waitFor();
  expect(await log(chat).getByText('Can I return a pot?').count()).toBe(0);
  const next = agent.messageFromVisitor('One more question');
  await send(chat, 'One more question');
  expect((await next).conversationId).not.toBe(conversationId);

  // The earlier conversation is still one click away.
  await chat.getByRole('button', { name: 'Earlier conversations' }).click();
  await chat.getByRole('button', { name: /Closed · with Finn/ }).click();
  await log(chat).getByText('Yes, within 30 days.').waitFor();
  expect(h.pageErrors).toEqual([]);
});

