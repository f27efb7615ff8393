/**
 * Unsent messages survive a reload, in the widget (on a shop of another origin than the chat server)
 * and in the console: written while the socket can't connect, shown as unsent, still shown after the
 * page reloads, then delivered exactly once and in order when the connection comes back, also with
 * two tabs sending the same outbox; and never sent as the next visitor after Parley.shutdown(). Only the WebSockets are cut: pages, sessions and the widget's
 * HTTP calls still load, as on a network that drops long-lived connections.
 * Needs `npm run build` and Chromium at /usr/bin/chromium.
 */
import type { BrowserContext, FrameLocator, Page, WebSocketRoute } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HistoryPage, MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { createAgent, ok, setStatus, signIn, socketVisitor, useConsoleEnv } from './console-support.ts';
import { eventually, frameOf, openChat, send, sendUnconfirmed, WidgetHarness, type TestAgent } from './widget-harness.ts';
import { onAgentMessage } from '../support/agent-messages.ts';

/** Engine.IO's handshake, as the server would send it: the client then tries its namespace and finds the line dead. */
const FAKE_HANDSHAKE = `0${JSON.stringify({ sid: 'cut', upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 })}`;

/**
 * A switch for the context's Socket.IO connections: cut closes the open ones and drops new ones
 * right after the handshake. (A socket closed before its handshake would wait 20 s for a timeout
 * before trying again; a dead network fails faster, and so does this.)
 */
async function socketSwitch(context: BrowserContext): Promise<{ cut(): void; restore(): void }> {
  let cut = false;
  const open = new Set<WebSocketRoute>();
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (cut) {
      ws.send(FAKE_HANDSHAKE);
      return void ws.close();
    }
    ws.connectToServer();
    open.add(ws);
  });
  return {
    cut() {
      cut = true;
      for (const ws of open) void ws.close();
      open.clear();
    },
    restore() {
      cut = false;
    },
  };
}

/**
 * The messages of `kind` a socket hears of, by id in arrival order. The server pushes a retried message
 * again (its first push may have been lost), so a message that exists once can be heard twice.
 */
function recordMessages(socket: Socket, kind: MessageDTO['authorKind']): Map<string, string> {
  const bodies = new Map<string, string>();
  const hear = (message: MessageDTO) => message.authorKind === kind && bodies.set(message.id, message.body);
  socket.on('message:new', hear); // a visitor's other tabs
  onAgentMessage(socket, hear); // agents: batches, and a conversation's first message in its summary
  return bodies;
}

describe('widget', () => {
  let h: WidgetHarness;
  beforeAll(async () => {
    h = await WidgetHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const log = (chat: FrameLocator) => chat.getByRole('log');
  const unsent = (chat: FrameLocator) => log(chat).locator('li.mine.sending, li.mine.failed');
  const mine = (chat: FrameLocator) => log(chat).locator('li.mine');

  async function history(agent: TestAgent, conversationId: string): Promise<string[]> {
    const page = await agent.command<HistoryPage>('history:get', { conversationId });
    return page.messages.filter((m) => m.authorKind === 'visitor').map((m) => m.body);
  }

  /** A site with one agent online (recording the visitor messages it receives) and a visitor's browser whose sockets the test can cut. */
  async function setUp(agentName: string) {
    const site = await h.createSite();
    const agent = await h.connectAgent(agentName, site);
    const seen = recordMessages(agent.socket, 'visitor');
    const context = await h.newContext({ site });
    const sockets = await socketSwitch(context);
    return { agent, seen, context, sockets };
  }

  test('first messages written offline survive a reload and arrive once, in order, in one conversation', async () => {
    const { agent, seen, context, sockets } = await setUp('Olga');
    sockets.cut();
    const page = await h.openShop(context);
    const chat = await openChat(page);
    await sendUnconfirmed(chat, 'First, offline');
    await sendUnconfirmed(chat, 'Second, offline');
    await eventually(() => unsent(chat).allTextContents()).toEqual([expect.stringContaining('First, offline'), expect.stringContaining('Second, offline')]);

    await page.reload();
    // Unsent messages count as a conversation for the loader: the frame starts at once and shows them.
    const reloaded = await openChat(page);
    await eventually(() => unsent(reloaded).allTextContents()).toEqual([
      expect.stringMatching(/First, offline.*Sending/),
      expect.stringMatching(/Second, offline.*Sending/),
    ]);
    expect([...seen.values()]).toEqual([]);

    sockets.restore();
    await eventually(() => mine(reloaded).allTextContents()).toEqual([
      expect.stringMatching(/First, offline.*(Sent|Read)/),
      expect.stringMatching(/Second, offline.*(Sent|Read)/),
    ]);
    await page.waitForTimeout(500); // time for a second copy to show up, were one stored
    expect([...seen.values()]).toEqual(['First, offline', 'Second, offline']);
    const conversations = await agent.command<{ id: string }[]>('conversation:list', { view: 'mine' });
    expect(conversations).toHaveLength(1);
    expect(await history(agent, conversations[0]!.id)).toEqual(['First, offline', 'Second, offline']);

    // A reload after delivery shows each once, and nothing unsent.
    await page.reload();
    const again = await openChat(page);
    await eventually(() => mine(again).allTextContents()).toEqual([expect.stringContaining('First, offline'), expect.stringContaining('Second, offline')]);
    expect(await unsent(again).count()).toBe(0);
    expect(h.pageErrors).toEqual([]);
  });

  test('two tabs restore the same outbox and both send it: the server keeps one of each, each tab shows one', async () => {
    const { agent, seen, context, sockets } = await setUp('Pia');
    // A conversation exists: the messages written offline name it.
    const first = await h.openShop(context);
    const chat = await openChat(first);
    await send(chat, 'Hello');
    await log(chat).getByText('Sent').waitFor();
    sockets.cut();
    await sendUnconfirmed(chat, 'Are you there?');
    await sendUnconfirmed(chat, 'My order is late');
    await eventually(() => unsent(chat).count()).toBe(2);

    await first.reload();
    const second = await h.openShop(context);
    const tabs = [await openChat(first), await openChat(second)];
    for (const tab of tabs) await eventually(() => unsent(tab).count()).toBe(2);

    sockets.restore();
    for (const tab of tabs) {
      await eventually(() => mine(tab).allTextContents()).toEqual([
        expect.stringContaining('Hello'),
        expect.stringMatching(/Are you there\?.*(Sent|Read)/),
        expect.stringMatching(/My order is late.*(Sent|Read)/),
      ]);
    }
    await first.waitForTimeout(500); // time for a second copy to show up, were one stored
    expect([...seen.values()]).toEqual(['Hello', 'Are you there?', 'My order is late']);
    const [conversation] = await agent.command<{ id: string }[]>('conversation:list', { view: 'mine' });
    expect(await history(agent, conversation!.id)).toEqual(['Hello', 'Are you there?', 'My order is late']);
    expect(h.pageErrors).toEqual([]);
  });

  test("after Parley.shutdown() the next visitor never sees nor sends the last one's unsent messages", async () => {
    const { agent, seen, context, sockets } = await setUp('Rui');
    sockets.cut();
    const page = await h.openShop(context);
    const chat = await openChat(page);
    await sendUnconfirmed(chat, 'My private question');
    await eventually(() => unsent(chat).count()).toBe(1);
    await page.evaluate(() => (window as unknown as { Parley: { shutdown(): void } }).Parley.shutdown());

    sockets.restore();
    const next = await openChat(page);
    await next.getByText('Hi! How can we help?').waitFor();
    await send(next, 'Hello, I am new here');
    await eventually(() => [...seen.values()]).toEqual(['Hello, I am new here']);
    expect(await log(next).getByText('My private question').count()).toBe(0);
    const frame = await frameOf(page, h.server.url);
    expect(await frame.evaluate(() => JSON.stringify(localStorage))).not.toContain('My private question');
    expect(h.pageErrors).toEqual([]);
  });
});

describe('console', () => {
  const { env } = useConsoleEnv();

  test("an agent's replies written offline survive a reload and reach the visitor once, in order", async () => {
    const carol = await createAgent(env(), 'Carol');
    const context = await env().browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const sockets = await socketSwitch(context);
    const page: Page = await signIn(env(), carol, { context });
    await setStatus(page, 'Online');

    const visitor = await socketVisitor(env());
    const received = recordMessages(visitor.socket, 'agent');
    const { conversation } = await ok<SendResult>(visitor.socket, 'message:send', { clientId: crypto.randomUUID(), body: 'Where is my parcel?' });
    const nav = page.getByRole('navigation', { name: 'Conversations' });
    await nav.getByRole('region', { name: /Mine/ }).getByRole('button', { name: /Where is my parcel/ }).click();
    await page.getByRole('log').getByText('Where is my parcel?').waitFor();

    sockets.cut();
    await page.getByText('Reconnecting…').waitFor();
    for (const body of ['Let me check.', 'It left the warehouse today.']) {
      await page.getByLabel('Reply', { exact: true }).fill(body);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
    }
    const sending = page.getByRole('log').locator('.message.agent.sending');
    await eventually(() => sending.allTextContents()).toEqual([expect.stringContaining('Let me check.'), expect.stringContaining('It left the warehouse today.')]);
    const status = page.locator('p.connection');
    await eventually(() => status.textContent()).toMatch(/2 not sent yet/);

    await page.reload();
    await page.getByRole('navigation', { name: 'Conversations' }).waitFor();
    // Restored before any connection: the console says what is still unsent.
    await eventually(() => status.textContent()).toMatch(/^(Connecting|Reconnecting)… 2 not sent yet$/);
    expect(received.size).toBe(0);

    sockets.restore();
    await eventually(() => [...received.values()]).toEqual(['Let me check.', 'It left the warehouse today.']);
    await eventually(() => status.textContent()).toBe('');
    const history = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId: conversation.id });
    expect(history.messages.filter((m) => m.authorKind === 'agent').map((m) => m.body)).toEqual(['Let me check.', 'It left the warehouse today.']);

    await nav.getByRole('region', { name: /Mine/ }).getByRole('button', { name: /Visitor / }).click();
    const agentMessages = page.getByRole('log').locator('.message.agent');
    await eventually(() => agentMessages.allTextContents()).toEqual([expect.stringContaining('Let me check.'), expect.stringContaining('It left the warehouse today.')]);
    expect([...received.values()]).toEqual(['Let me check.', 'It left the warehouse today.']);
    visitor.socket.disconnect();
    expect(env().pageErrors).toEqual([]);
  });
});
