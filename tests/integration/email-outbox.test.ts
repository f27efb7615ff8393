/**
 * The email outbox against an in-process relay on a fake clock: one row and one job per idempotency key, a
 * deferring relay retried until it accepts (sent once), a rejecting one recorded as failed and never retried.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailRetryPolicy } from '../../server/email/send-job.ts';
import { ask, backends, clientId, closeAllSockets, connectVisitor, ok, sleep, startServer } from '../support/parley.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { startEmailHarness, type EmailHarness } from '../support/email.ts';

const message = (key: string) => ({ purpose: 'agent-alert' as const, to: 'zoe@shop.example', subject: 'A visitor is waiting', text: 'Hello', html: '<p>Hello</p>', idempotencyKey: key });

describe.each(backends)('email outbox on %s', { timeout: 60_000 }, (backend) => {
  let h: EmailHarness;
  let attempts = 0;
  let refusals: { code: number; message: string }[] = [];
  beforeAll(async () => {
    h = await startEmailHarness(backend);
    h.answer.next = () => {
      attempts++;
      return refusals.shift() ?? null;
    };
  });
  beforeEach(() => {
    attempts = 0;
    refusals = [];
    h.relay.received.length = 0;
  });
  afterAll(() => h?.close());

  it('queues one email per idempotency key and sends it once', async () => {
    const outbox = h.server.parley.email.outbox;
    const first = await outbox.queue(message('alert:1'));
    const again = await outbox.queue({ ...message('alert:1'), subject: 'Changed' });
    expect(again!.id).toBe(first!.id);
    expect(again!.subject).toBe('A visitor is waiting');
    await h.advance(0);
    expect(h.relay.received).toHaveLength(1);
    const sent = (await h.server.parley.store.emails.findById(first!.id))!;
    expect(sent).toMatchObject({ state: 'sent', attempts: 1, reason: null });
    expect(sent.relayResponse).toMatch(/^250 /);
    expect(h.relay.received[0]).toContain(`Message-ID: ${first!.messageId}`);
  });

  it('retries a relay that answers 451 and sends the email once when it accepts', async () => {
    refusals = [{ code: 451, message: 'Greylisted, try again later' }, { code: 451, message: 'Greylisted, try again later' }];
    const email = (await h.server.parley.email.outbox.queue(message('alert:2')))!;
    expect(email.state).toBe('queued');
    await h.advance(0);
    const deferred = (await h.server.parley.store.emails.findById(email.id))!;
    expect(deferred).toMatchObject({ state: 'queued', attempts: 1 });
    expect(deferred.reason).toContain('451');
    expect(h.relay.received).toHaveLength(0);
    const pause = emailRetryPolicy().maxDelayMs;
    await h.advance(pause);
    await h.advance(pause);
    await h.advance(pause);
    expect(attempts).toBe(3);
    expect(h.relay.received).toHaveLength(1);
    expect((await h.server.parley.store.emails.findById(email.id))!).toMatchObject({ state: 'sent', attempts: 3, reason: null });
  });

  it('records a 550 as failed with the reason and does not retry it', async () => {
    refusals = [{ code: 550, message: 'No such mailbox here' }];
    const email = (await h.server.parley.email.outbox.queue(message('alert:3')))!;
    await h.advance(0);
    await h.advance(emailRetryPolicy().maxDelayMs);
    await h.advance(emailRetryPolicy().maxDelayMs);
    expect(attempts).toBe(1);
    const failed = (await h.server.parley.store.emails.findById(email.id))!;
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.reason).toContain('550');
    expect(failed.reason).toContain('No such mailbox here');
  });

  it('does not send a queued email to a visitor who unsubscribed meanwhile, nor queue a new one', async () => {
    refusals = [{ code: 451, message: 'Greylisted, try again later' }];
    const { parley, site } = h.server;
    const visitor = await parley.store.visitors.create(site.id);
    const email = (await parley.email.outbox.queue({ ...message('visitor:1'), visitorId: visitor.id }))!;
    await h.advance(0);
    await parley.store.emails.optOut(visitor.id, new Date(h.clock.now()));
    await h.advance(emailRetryPolicy().maxDelayMs);
    expect(attempts).toBe(1);
    expect(h.relay.received).toHaveLength(0);
    expect((await parley.store.emails.findById(email.id))!).toMatchObject({ state: 'failed', reason: 'Not sent: the recipient unsubscribed' });
    expect(await parley.email.outbox.queue({ ...message('visitor:2'), visitorId: visitor.id })).toBeNull();
  });
});

describe('email without MAIL_REPLY_DOMAIN', () => {
  it('takes the Message-ID domain from MAIL_FROM and sends no Reply-To', async () => {
    const h = await startEmailHarness('sqlite', { MAIL_REPLY_DOMAIN: '' });
    try {
      const conversationId = crypto.randomUUID();
      const email = (await h.server.parley.email.outbox.queue({ ...message('conversation:1'), conversationId }))!;
      expect(email.messageId).toMatch(/^<r\.[0-9a-f]{56}\.[0-9a-f]{12}@shop\.example>$/);
      expect(h.server.parley.email.tokens.conversationOfMessageId(email.messageId)).toBe(conversationId);
      await h.advance(0);
      expect(h.relay.received).toHaveLength(1);
      expect(h.relay.received[0]).not.toMatch(/^Reply-To:/im);
    } finally {
      await h.close();
    }
  });
});

describe('email off (no SMTP_URL)', () => {
  it('queues nothing: no email, no offline-message alert email, no transcript', async () => {
    const server = await startServer();
    try {
      expect(server.parley.email.outbox.enabled).toBe(false);
      expect(await server.parley.email.outbox.queue(message('alert:off'))).toBeNull();
      // Nobody online: with email on, the admin would be emailed this offline message (tests/integration/push-alerts.test.ts).
      const visitor = await connectVisitor(server);
      await ok(visitor.socket, 'visitor:update', { email: 'ada@example.org' });
      const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: 'Anyone there?' });
      expect(await ask(visitor.socket, 'conversation:emailTranscript', { conversationId: sent.conversation.id })).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
      await sleep(300);
      expect(await server.parley.store.emails.forConversation(sent.conversation.id)).toEqual([]);
      expect((await server.parley.store.jobs.counts()).filter((c) => c.kind.startsWith('email.'))).toEqual([]);
    } finally {
      closeAllSockets();
      await server.close();
    }
  });
});
