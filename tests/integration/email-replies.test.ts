import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationDTO, HistoryPage, MessageDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { InboundEmailDTO } from '../../server/contract/inbound-email.ts';
import { ask, backends, clientId, closeAgentsOut, closeAllSockets, connectAgent, connectVisitor, createAgent, next, nextAgentConversation, nextAgentMessage, ok, record, recordAgentMessages, sleep, startServer, useNewSite, type TestServer } from '../support/parley.ts';
import { compose, deliverSmtp, INBOUND_SECRET, postInbound, REPLY_DOMAIN } from '../support/inbound-email.ts';

const VISITOR_EMAIL = 'ada@example.org';

describe.each(backends)('email replies on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ MAIL_REPLY_DOMAIN: REPLY_DOMAIN, INBOUND_SMTP_PORT: '0', INBOUND_EMAIL_SECRET: INBOUND_SECRET }, backend);
  });
  beforeEach(async () => {
    await useNewSite(server);
  });
  afterEach(() => closeAgentsOut(server));
  afterAll(() => server?.close());

  const smtpPort = () => server.parley.inboundSmtpPort()!;
  const replyAddress = (conversationId: string) => server.parley.email.tokens.replyAddress(conversationId, REPLY_DOMAIN);

  /** A visitor with a known email address in a conversation an agent holds. */
  async function conversationWithAgent(name: string) {
    const agent = await connectAgent(server, await createAgent(server, name));
    const visitor = await connectVisitor(server);
    await ok(visitor.socket, 'visitor:update', { email: VISITOR_EMAIL });
    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'My parcel has not arrived' });
    await assigned;
    const answer = await ok<SendResult>(agent.socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: 'Which order is it?' });
    return { agent, visitor, conversation: first.conversation, lastSeq: answer.message.seq };
  }

  const gmailReply = (conversationId: string, text: string, extra: Record<string, unknown> = {}) =>
    compose({
      from: `Ada <${VISITOR_EMAIL}>`,
      to: replyAddress(conversationId),
      subject: 'Re: Your conversation with Shop',
      text: `${text}\n\nOn Sat, Dec 5, 2026 at 10:02 AM Shop <\n${replyAddress(conversationId)}> wrote:\n\n> Which order is it?\n`,
      ...extra,
    });

  it('appends a reply sent to the SMTP receiver once, quotes stripped, in order, to the agent and the widget; the same message POSTed or sent again changes nothing', async () => {
    const { agent, visitor, conversation, lastSeq } = await conversationWithAgent('alice');
    const agentHeard = recordAgentMessages(agent.socket);
    const widgetHeard = record<MessageDTO>(visitor.socket, 'message:new');
    const agentSees = nextAgentMessage(agent.socket, (m) => m.authorKind === 'visitor' && m.body === 'Order 4411, thanks!');
    const raw = await gmailReply(conversation.id, 'Order 4411, thanks!', { messageId: '<reply-1@mail.example.org>' });

    await deliverSmtp(smtpPort(), raw, { from: VISITOR_EMAIL, to: [replyAddress(conversation.id)] });
    const appended = await agentSees;
    expect(appended.seq).toBe(lastSeq + 1);

    const again = await postInbound(server.url, raw);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'appended', duplicate: true, conversationId: conversation.id });
    await deliverSmtp(smtpPort(), raw, { from: VISITOR_EMAIL, to: [replyAddress(conversation.id)] });
    await Promise.all([postInbound(server.url, raw), postInbound(server.url, raw)]);
    await sleep(200);

    expect(agentHeard.filter((m) => m.authorKind === 'visitor').map((m) => m.body)).toEqual(['Order 4411, thanks!']);
    expect(widgetHeard.filter((m) => m.authorKind === 'visitor').map((m) => m.id)).toEqual([appended.id]);
    const page = await ok<HistoryPage>(visitor.socket, 'history:get', { conversationId: conversation.id, afterSeq: 0 });
    expect(page.messages.filter((m) => m.authorKind !== 'system').map((m) => [m.authorKind, m.body])).toEqual([
      ['visitor', 'My parcel has not arrived'],
      ['agent', 'Which order is it?'],
      ['visitor', 'Order 4411, thanks!'],
    ]);
  });

  it('appends a reply POSTed first, found by In-Reply-To when the reply address was rewritten, with its attachment', async () => {
    const { agent, conversation } = await conversationWithAgent('bella');
    const sent = server.parley.email.tokens.messageId(conversation.id, REPLY_DOMAIN);
    const raw = await compose({
      from: VISITOR_EMAIL,
      to: 'support@shop.example.com',
      subject: 'Re: Shop',
      inReplyTo: sent,
      references: [sent],
      html: '<div>The receipt is attached.</div><div class="gmail_quote"><blockquote>Which order is it?</blockquote></div>',
      attachments: [{ filename: 'receipt.txt', content: 'Order 4411\n' }],
    });
    const agentSees = nextAgentMessage(agent.socket, (m) => m.authorKind === 'visitor' && m.body.startsWith('The receipt'));
    const res = await postInbound(server.url, raw);
    expect(res.status).toBe(201);
    const message = await agentSees;
    expect(message.body).toBe('The receipt is attached.');
    expect(message.attachments.map((a) => [a.fileName, a.contentType])).toEqual([['receipt.txt', 'text/plain']]);
  });

  it('holds a reply from another address until an agent accepts it; discarding another keeps it out', async () => {
    const { agent, conversation } = await conversationWithAgent('carla');
    const fromColleague = await compose({ from: 'boss@example.org', to: replyAddress(conversation.id), subject: 'Re', text: 'I am her manager, please refund.' });
    const res = await postInbound(server.url, fromColleague);
    expect(await res.json()).toMatchObject({ status: 'held', duplicate: false });
    const spam = await compose({ from: 'spam@example.net', to: replyAddress(conversation.id), subject: 'Re', text: 'Buy now' });
    await deliverSmtp(smtpPort(), spam, { from: 'spam@example.net', to: [replyAddress(conversation.id)] });

    const held = await ok<InboundEmailDTO[]>(agent.socket, 'email:held', { conversationId: conversation.id });
    expect(held.map((h) => [h.sender, h.body])).toEqual([['boss@example.org', 'I am her manager, please refund.'], ['spam@example.net', 'Buy now']]);
    const agentSees = nextAgentMessage(agent.socket, (m) => m.authorKind === 'visitor' && m.body === 'I am her manager, please refund.');
    expect(await ok<InboundEmailDTO>(agent.socket, 'email:accept', { inboundEmailId: held[0]!.id })).toMatchObject({ status: 'appended' });
    await agentSees;
    expect(await ok<InboundEmailDTO>(agent.socket, 'email:discard', { inboundEmailId: held[1]!.id })).toMatchObject({ status: 'discarded' });
    expect(await ask(agent.socket, 'email:accept', { inboundEmailId: held[1]!.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await ok<InboundEmailDTO[]>(agent.socket, 'email:held', { conversationId: conversation.id })).toEqual([]);
    const page = await ok<HistoryPage>(agent.socket, 'history:get', { conversationId: conversation.id, afterSeq: 0 });
    expect(page.messages.filter((m) => m.authorKind === 'visitor').map((m) => m.body)).toEqual(['My parcel has not arrived', 'I am her manager, please refund.']);
  });

  it('puts a resolved conversation back in the queue with the reply, and routes it when an agent is free', async () => {
    const { agent, conversation } = await conversationWithAgent('dana');
    await ok(agent.socket, 'conversation:resolve', { conversationId: conversation.id });
    await ok(agent.socket, 'agent:setStatus', { status: 'away' });
    const res = await postInbound(server.url, await gmailReply(conversation.id, 'It came back, still broken.'));
    expect(await res.json()).toMatchObject({ status: 'appended', conversationId: conversation.id });
    const queue = await ok<{ id: string; status: string; lastMessage: MessageDTO | null }[]>(agent.socket, 'conversation:list', { view: 'queue' });
    expect(queue.map((c) => [c.id, c.status, c.lastMessage?.body])).toEqual([[conversation.id, 'queued', 'It came back, still broken.']]);
    const page = await ok<HistoryPage>(agent.socket, 'history:get', { conversationId: conversation.id, afterSeq: 0 });
    expect(page.messages.slice(-3).map((m) => m.system?.type ?? m.body)).toEqual(['resolved', 'unassigned', 'It came back, still broken.']);

    const assigned = nextAgentConversation<ConversationDTO>(agent.socket, (c) => c.id === conversation.id && c.status === 'active');
    await ok(agent.socket, 'agent:setStatus', { status: 'online' });
    expect((await assigned).assignee?.id).toBe(agent.agentId);
  });

  it('refuses forged, expired, mixed and unmatched tokens, unknown recipients, bad MIME, oversized and empty replies, storing nothing', async () => {
    const { agent, conversation } = await conversationWithAgent('erin');
    const other = await conversationWithAgent('fay');
    const agentHeard = recordAgentMessages(agent.socket);
    const valid = replyAddress(conversation.id);
    const forged = valid.replace(/reply\+(.)/, (_m, c: string) => `reply+${c === '0' ? '1' : '0'}`);
    const expired = `reply+${server.parley.email.tokens.issue('reply', conversation.id, -60_000)}@${REPLY_DOMAIN}`;
    const refusal = async (raw: Buffer) => {
      const res = await postInbound(server.url, raw);
      return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    };
    const text = (to: string, extra: Record<string, unknown> = {}) => compose({ from: VISITOR_EMAIL, to, subject: 'Re', text: 'hello', ...extra });

    expect(await refusal(await text(forged))).toEqual([422, 'UNPROCESSABLE']);
    expect(await refusal(await text(expired))).toEqual([422, 'UNPROCESSABLE']);
    expect(await refusal(await text(valid, { inReplyTo: server.parley.email.tokens.messageId(other.conversation.id, REPLY_DOMAIN) }))).toEqual([422, 'UNPROCESSABLE']);
    expect(await refusal(await text('support@shop.example.com'))).toEqual([422, 'UNPROCESSABLE']);
    expect(await refusal(await text(valid, { inReplyTo: `<r.${'ab'.repeat(28)}.123456789012@${REPLY_DOMAIN}>`, to: 'x@y.example' }))).toEqual([422, 'UNPROCESSABLE']);
    expect(await refusal(await compose({ from: VISITOR_EMAIL, to: valid, subject: 'Re', text: '> only the quote\n' }))).toEqual([422, 'UNPROCESSABLE']);
    expect(await refusal(Buffer.from(`To: ${valid}\r\nSubject: no sender\r\n\r\nhello\r\n`))).toEqual([400, 'BAD_REQUEST']);
    expect(await refusal(nestedMultipart(valid, 40))).toEqual([400, 'BAD_REQUEST']);
    expect(await refusal(Buffer.from('\u0000\u0001 not a message at all'))).toEqual([400, 'BAD_REQUEST']);

    await expect(deliverSmtp(smtpPort(), await text(forged), { from: VISITOR_EMAIL, to: [forged] })).rejects.toMatchObject({ responseCode: 550 });
    await expect(deliverSmtp(smtpPort(), await text(valid), { from: VISITOR_EMAIL, to: ['someone@elsewhere.example'] })).rejects.toMatchObject({ responseCode: 550 });
    await expect(deliverSmtp(smtpPort(), nestedMultipart(valid, 40), { from: VISITOR_EMAIL, to: [valid] })).rejects.toMatchObject({ responseCode: 550 });
    const huge = Buffer.concat([await text(valid), Buffer.alloc(26 * 1024 * 1024, 'a\r\n')]);
    await expect(deliverSmtp(smtpPort(), huge, { from: VISITOR_EMAIL, to: [valid] })).rejects.toMatchObject({ responseCode: 552 });

    await sleep(200);
    expect(agentHeard.filter((m) => m.authorKind === 'visitor')).toEqual([]);
    expect(server.logs.some((line) => line.includes('email reply refused'))).toBe(true);
  });

  it('derives a stable Message-ID for a message without one, so a second delivery is still one message', async () => {
    const { agent, conversation } = await conversationWithAgent('gina');
    const raw = Buffer.from(`From: ${VISITOR_EMAIL}\r\nTo: ${replyAddress(conversation.id)}\r\nSubject: Re\r\n\r\nNo id on this one\r\n`);
    const heard = recordAgentMessages(agent.socket);
    expect((await postInbound(server.url, raw)).status).toBe(201);
    expect((await postInbound(server.url, raw)).status).toBe(200);
    // Delivered several times at the same moment: the unique Message-ID lets one of them record it.
    const racing = Buffer.from(`From: ${VISITOR_EMAIL}\r\nTo: ${replyAddress(conversation.id)}\r\nSubject: Re\r\n\r\nSent three times at once\r\n`);
    const answers = await Promise.all([1, 2, 3].map(() => postInbound(server.url, racing)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201]);
    await sleep(200);
    // A delivery that finds the reply recorded but not yet appended appends it with the same clientId, which answers
    // the stored message (pushed again, under its id, as any retried send is).
    const stored = new Map(heard.filter((m) => m.authorKind === 'visitor').map((m) => [m.id, m.body]));
    expect([...stored.values()]).toEqual(['No id on this one', 'Sent three times at once']);
    const page = await ok<HistoryPage>(agent.socket, 'history:get', { conversationId: conversation.id, afterSeq: 0 });
    expect(page.messages.filter((m) => m.authorKind === 'visitor').map((m) => m.body)).toEqual(['My parcel has not arrived', 'No id on this one', 'Sent three times at once']);
  });

  it('requires the secret, limits the size and reads the Postmark, Mailgun and SendGrid field shapes', async () => {
    const { conversation } = await conversationWithAgent('hana');
    const raw = await gmailReply(conversation.id, 'via a provider', { messageId: '<provider@mail.example.org>' });
    const anonymous = await postInbound(server.url, raw, { authorization: '' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await postInbound(server.url, raw, { authorization: 'Bearer wrong-secret-0123456789' })).status).toBe(401);
    const basic = `Basic ${Buffer.from(`parley:${INBOUND_SECRET}`).toString('base64')}`;
    const postmark = await postInbound(server.url, JSON.stringify({ RawEmail: raw.toString('utf8'), OriginalRecipient: replyAddress(conversation.id) }), { 'content-type': 'application/json', authorization: basic });
    expect(postmark.status).toBe(201);
    const mailgun = await postInbound(server.url, new URLSearchParams({ 'body-mime': raw.toString('utf8'), recipient: replyAddress(conversation.id) }), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(await mailgun.json()).toMatchObject({ duplicate: true });
    const sendgrid = await postInbound(server.url, new URLSearchParams({ email: raw.toString('utf8'), envelope: JSON.stringify({ to: [replyAddress(conversation.id)] }) }), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(await sendgrid.json()).toMatchObject({ duplicate: true });
    expect((await postInbound(server.url, JSON.stringify({ html: 'no raw' }), { 'content-type': 'application/json' })).status).toBe(400);
    expect((await postInbound(server.url, 'x', { 'content-type': 'multipart/form-data; boundary=x' })).status).toBe(415);
    expect((await postInbound(server.url, Buffer.alloc(26 * 1024 * 1024, 0x61))).status).toBe(413);
  });
});

/** A message whose multipart levels nest `depth` deep. */
function nestedMultipart(to: string, depth: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\nhello\r\n';
  for (let level = depth; level > 0; level--) {
    body = `Content-Type: multipart/mixed; boundary="b${level}"\r\n\r\n--b${level}\r\n${body}--b${level}--\r\n`;
  }
  return Buffer.from(`From: ${VISITOR_EMAIL}\r\nTo: ${to}\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`);
}

describe('without MAIL_REPLY_DOMAIN', () => {
  it('holds no replies and has no inbound route', async () => {
    const server = await startServer();
    try {
      const agent = await connectAgent(server, await createAgent(server, 'ivy'));
      const visitor = await connectVisitor(server);
      const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'hi' });
      expect(await ok(agent.socket, 'email:held', { conversationId: sent.conversation.id })).toEqual([]);
      expect(await ask(agent.socket, 'email:accept', { inboundEmailId: sent.conversation.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect((await postInbound(server.url, Buffer.from('From: a@b.example\r\n\r\nhi'))).status).toBe(404);
      expect(server.parley.inboundSmtpPort()).toBeUndefined();
    } finally {
      closeAllSockets();
      await server.close();
    }
  });
});
