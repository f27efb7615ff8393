/**
 * Continuity email end to end: real visitors and agents, a fake clock, the real job outbox and an in-process
 * SMTP relay. Agent replies the visitor has not seen go out as one email after the site's emailAfterMinutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { ConversationDetail, SendResult } from '../../server/contract/events.ts';
import type { EmailDTO } from '../../server/contract/email.ts';
import { backends, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, next, ok, record, sleep, type TestServer } from '../support/parley.ts';
import { REPLY_DOMAIN, startEmailHarness, type EmailHarness } from '../support/email.ts';

const MINUTE = 60_000;

/** Waits until `count` continuity checks are scheduled (the message.created subscriber runs after the send's answer). */
async function scheduled(server: TestServer, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const counts = await server.parley.store.jobs.counts();
    const total = counts.filter((c) => c.kind === 'email.continuity').reduce((sum, c) => sum + c.count, 0);
    if (total >= count) return;
    await sleep(20);
  }
  throw new Error(`fewer than ${count} continuity checks scheduled`);
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await sleep(20);
}

describe.each(backends)('continuity email on %s', { timeout: 60_000 }, (backend) => {
  let h: EmailHarness;
  beforeAll(async () => {
    h = await startEmailHarness(backend);
  });
  afterAll(async () => {
    closeAllSockets();
    await h?.close();
  });

  it('batches unseen agent replies into one threaded, escaped email; read replies, an open widget and unsubscribed visitors get none', async () => {
    const { server } = h;
    const agent = await connectAgent(server, await createAgent(server, 'alice'));
    const emailEvents = record<EmailDTO>(agent.socket, 'email:updated');
    const visitor = await connectVisitor(server);
    await ok(visitor.socket, 'visitor:update', { email: 'vera@example.net', name: 'Vera' });
    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const opened = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Where is my order?' });
    const conversationId = opened.conversation.id;
    await assigned;
    visitor.socket.disconnect();
    await sleep(100);

    let jobs = 0;
    const reply = async (body: string) => {
      await ok<SendResult>(agent.socket, 'message:send', { conversationId, clientId: clientId(), body });
      await scheduled(server, ++jobs);
    };
    await reply('It ships <script>alert("x")</script> today & arrives Monday.');
    await h.advance(MINUTE);
    await reply('Tracking number: 1Z999.');
    await h.advance(2 * MINUTE - 1_000);
    expect(h.relay.received).toHaveLength(0); // the first reply is not yet 3 minutes old
    await h.advance(1_000);
    await h.advance(3 * MINUTE); // the second reply's own check finds it already emailed
    const [first] = await h.parsed();
    expect(h.relay.received).toHaveLength(1);
    expect(first!.to).toMatchObject({ text: 'vera@example.net' });
    expect(first!.text).toContain('It ships <script>alert("x")</script> today & arrives Monday.');
    expect(first!.text).toContain('Tracking number: 1Z999.');
    expect(first!.html).toContain('It ships &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; today &amp; arrives Monday.');
    expect(first!.html).not.toContain('<script>');
    expect(first!.messageId).toMatch(new RegExp(`^<r\\.[0-9a-f]{56}\\.[0-9a-f]{12}@${REPLY_DOMAIN.replaceAll('.', '\\.')}>$`));
    expect(server.parley.email.tokens.conversationOfMessageId(first!.messageId!)).toBe(conversationId);
    const replyTo = first!.replyTo!.value[0]!.address!;
    expect(server.parley.email.tokens.conversationOfReplyAddress(replyTo, REPLY_DOMAIN)).toBe(conversationId);
    const continueLink = /\/c\/([0-9a-f]{56})/.exec(first!.text!)![1]!;
    expect(server.parley.email.tokens.verify('continue', continueLink)?.subjectId).toBe(conversationId);
    // Unfolded: a long header arrives on several lines.
    const header = (name: string) => first!.headerLines.find((line) => line.key === name)?.line.replace(/\r?\n[ \t]+/g, ' ');
    const unsubscribeUrl = /^List-Unsubscribe: ?<([^>]+)>$/.exec(header('list-unsubscribe') ?? '')?.[1] ?? '';
    expect(unsubscribeUrl).toMatch(new RegExp(`^${server.url}/api/email/unsubscribe/[0-9a-f]{56}$`));
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(first!.inReplyTo).toBeUndefined();
    // The console sees the email queued, then sent, live and in the conversation's detail.
    await waitFor(() => emailEvents.some((e) => e.state === 'sent'));
    expect(emailEvents.map((e) => e.state)).toEqual(['queued', 'sent']);
    expect(emailEvents[1]).toMatchObject({ purpose: 'continuity', conversationId, recipient: 'vera@example.net', reason: null });
    const detail = await ok<ConversationDetail>(agent.socket, 'conversation:get', { conversationId });
    expect(detail.emailEnabled).toBe(true);
    expect(detail.emails.map((e) => [e.purpose, e.state])).toEqual([['continuity', 'sent']]);

    // A third reply, unseen: a second email, threaded under the first.
    await reply('Anything else?');
    await h.advance(3 * MINUTE);
    const second = (await h.parsed())[1]!;
    expect(h.relay.received).toHaveLength(2);
    expect(second.text).toContain('Anything else?');
    expect(second.text).not.toContain('Tracking number');
    expect(second.inReplyTo).toBe(first!.messageId);
    expect([second.references].flat()).toEqual([first!.messageId]);
    expect(second.messageId).not.toBe(first!.messageId);

    // Read by the visitor (who then leaves again): no email.
    await reply('Your refund is on its way.');
    const back = await connectVisitor(server, { token: visitor.token });
    const lastSeq = (await server.parley.store.conversations.findById(conversationId))!.lastSeq;
    await ok(back.socket, 'conversation:read', { conversationId, seq: lastSeq });
    back.socket.disconnect();
    await sleep(100);
    await h.advance(3 * MINUTE);
    expect(h.relay.received).toHaveLength(2);

    // Unread while the widget is connected: no email yet, but one once the visitor has left.
    const present = await connectVisitor(server, { token: visitor.token });
    await reply('We have restocked.');
    await h.advance(3 * MINUTE);
    expect(h.relay.received).toHaveLength(2);
    present.socket.disconnect();
    await sleep(100);
    await h.advance(3 * MINUTE);
    expect(h.relay.received).toHaveLength(3);
    expect((await h.parsed())[2]!.text).toContain('We have restocked.');

    // Unsubscribe: a tampered token is refused, the real one stops the next email.
    const token = unsubscribeUrl.slice(unsubscribeUrl.lastIndexOf('/') + 1);
    const tampered = `${unsubscribeUrl.slice(0, -token.length)}${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    expect((await fetch(tampered, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(400);
    expect((await fetch(tampered)).status).toBe(400);
    const page = await fetch(unsubscribeUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post">/);
    const chinese = await fetch(unsubscribeUrl, { headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    expect(await chinese.text()).toContain('<button type="submit">退订</button>');
    const visitorId = (await server.parley.store.conversations.findById(conversationId))!.visitorId;
    expect(await server.parley.store.emails.optedOut(visitorId)).toBe(false); // showing the page changes nothing
    const done = await fetch(unsubscribeUrl, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(done.status).toBe(200);
    expect(await server.parley.store.emails.optedOut(visitorId)).toBe(true);
    await reply('Are you still there?');
    await h.advance(3 * MINUTE);
    expect(h.relay.received).toHaveLength(3);
    const states = (await server.parley.store.emails.forConversation(conversationId)).map((e) => e.state);
    expect(states).toEqual(['sent', 'sent', 'sent']);
  });
});
