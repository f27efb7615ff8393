import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { EmailDTO } from '../../server/contract/email.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { WidgetConfig } from '../../server/contract/http.ts';
import { REPLY_DOMAIN } from '../support/inbound-email.ts';
import { startSmtpRelay, type SmtpRelay } from '../support/smtp-relay.ts';
import { ask, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, next, ok, sleep, startServer, type TestServer } from '../support/parley.ts';

let server: TestServer;
let relay: SmtpRelay;

beforeAll(async () => {
  relay = await startSmtpRelay();
  server = await startServer({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, MAIL_FROM: 'Shop <support@shop.example.com>', MAIL_REPLY_DOMAIN: REPLY_DOMAIN });
});

afterAll(async () => {
  closeAllSockets();
  await server?.close();
  await relay?.close();
});

async function waitForEmails(count: number): Promise<void> {
  for (let i = 0; i < 100 && relay.received.length < count; i++) await sleep(50);
}

describe('email me this conversation', () => {
  it('sends the transcript to the visitor\'s address once per conversation state, with a Message-ID and Reply-To of the conversation', async () => {
    const config = (await (await fetch(`${server.url}/api/widget/config?site=${server.site.publicKey}`)).json()) as WidgetConfig;
    expect(config.emailEnabled).toBe(true);
    const agent = await connectAgent(server, await createAgent(server, 'jade'));
    const visitor = await connectVisitor(server);
    const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
    const first = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Is <b>this</b> escaped?' });
    await assigned;
    await ok(agent.socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: 'Yes & it is.' });
    await ok(agent.socket, 'message:send', { conversationId: first.conversation.id, clientId: clientId(), body: 'secret note', note: true });
    await ok(agent.socket, 'conversation:resolve', { conversationId: first.conversation.id });

    expect(await ask(visitor.socket, 'conversation:emailTranscript', { conversationId: first.conversation.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    await ok(visitor.socket, 'visitor:update', { email: 'ada@example.org' });
    const shownSent = next<EmailDTO>(agent.socket, 'email:updated', (e) => e.purpose === 'transcript' && e.state === 'sent');
    expect(await ok(visitor.socket, 'conversation:emailTranscript', { conversationId: first.conversation.id })).toEqual({ email: 'ada@example.org' });
    expect(await ok(visitor.socket, 'conversation:emailTranscript', { conversationId: first.conversation.id })).toEqual({ email: 'ada@example.org' });
    await waitForEmails(1);
    await sleep(300);
    expect(relay.received).toHaveLength(1);

    const mail = await simpleParser(relay.received[0]!);
    expect(mail.to).toMatchObject({ value: [{ address: 'ada@example.org' }] });
    expect(mail.subject).toBe('Your conversation with Support');
    expect(mail.text).toContain('You:\nIs <b>this</b> escaped?');
    expect(mail.text).toContain('jade:\nYes & it is.');
    expect(mail.text).not.toContain('secret note');
    expect(mail.html).toContain('Is &#60;b&#62;this&#60;/b&#62; escaped?');
    expect(server.parley.email.tokens.conversationOfMessageId(mail.messageId!)).toBe(first.conversation.id);
    expect(server.parley.email.tokens.conversationOfReplyAddress(mail.replyTo!.value[0]!.address!, REPLY_DOMAIN)).toBe(first.conversation.id);

    // One pipeline: the transcript is an Email row of the conversation, sent by an email.send job, shown live to its agent.
    expect(await shownSent).toMatchObject({ conversationId: first.conversation.id, siteId: server.site.id, recipient: 'ada@example.org', attempts: 1 });
    const emails = await server.parley.store.emails.forConversation(first.conversation.id);
    expect(emails.map((e) => [e.purpose, e.state, e.messageId])).toEqual([['transcript', 'sent', mail.messageId]]);
    // (email.continuity jobs, scheduled by the agent's replies, only decide whether to queue an email.)
    const sendingJobs = (await server.parley.store.jobs.counts()).filter((c) => c.kind.startsWith('email.') && c.kind !== 'email.continuity');
    expect(sendingJobs.map((c) => [c.kind, c.status, c.count])).toEqual([['email.send', 'done', 1]]);

    const stranger = await connectVisitor(server);
    await ok(stranger.socket, 'visitor:update', { email: 'eve@example.org' });
    expect(await ask(stranger.socket, 'conversation:emailTranscript', { conversationId: first.conversation.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
