/**
 * Alerts for agents away from the console, end to end: a real server on a clock the test moves, visitors and
 * agents over real sockets, push subscriptions pointed at a loopback push service that verifies each request's
 * VAPID signature and decrypts its payload (tests/support/push-receiver.ts), and emails through an in-process
 * SMTP relay.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertPreferencesDTO, PushAlertPayload, PushSetupDTO } from '../../server/contract/alerts.ts';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { EmailPurpose } from '../../server/contract/email.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { ManualClock } from '../../server/domain/clock.ts';
import { localMinutes } from '../../server/domain/quiet-hours.ts';
import { ADMIN, backends, clientId, closeAgentsOut, closeAllSockets, connectAgent, connectVisitor, createAgent, login, next, ok, sleep, startServer, useNewSite, type TestServer } from '../support/parley.ts';
import { startPushReceiver, type PushReceiver } from '../support/push-receiver.ts';
import { countSqlStatements, takeSqlCounts } from '../../bench/profile/sql-counter.ts';
import { AgentAlerts } from '../../server/app/alerts.ts';

interface Mail {
  to: string;
  subject: string;
  text: string;
}

countSqlStatements();

let server: TestServer;
let receiver: PushReceiver;
let relay: SMTPServer;
const clock = new ManualClock(Date.now());
const mails: Mail[] = [];

/**
 * Runs every job due now, and what those enqueue, until none is due or running. Subscribers enqueue after the
 * event, asynchronously: a test waiting for an alert polls with `eventually`; one proving there is none settles
 * after what the same event did elsewhere has arrived.
 */
async function settle(): Promise<void> {
  const { worker } = server.parley.jobs;
  for (let round = 0; round < 200; round++) {
    await sleep(50);
    const ran = await worker.drainOnce();
    const running = (await server.parley.store.jobs.counts()).some((c) => c.status === 'running' && c.count > 0);
    if (ran === 0 && !running) return;
  }
  throw new Error('jobs still running');
}

/**
 * Alert emails go through the one email pipeline: Email rows of the conversation (listed in its console panel),
 * sent by `email.send` jobs, whose Message-ID and Reply-To carry no reply token (an agent's reply stays out).
 */
async function expectAlertEmails(conversationId: string, purpose: EmailPurpose, recipients: string[]): Promise<void> {
  await settle();
  const emails = (await server.parley.store.emails.forConversation(conversationId)).filter((e) => e.purpose === purpose);
  expect(emails.map((e) => e.recipient).sort()).toEqual([...recipients].sort());
  for (const email of emails) {
    expect(email).toMatchObject({ state: 'sent', siteId: server.site.id, replyTo: null, visitorId: null });
    expect(server.parley.email.tokens.conversationOfMessageId(email.messageId)).toBeNull();
  }
}

async function agentApi<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}/api/agent${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
}

/** An agent of the current site with one subscribed browser, not connected. */
async function subscribedAgent(name: string, capacity = 3) {
  const credentials = await createAgent(server, `${name}-${server.site.id.slice(-6)}`, capacity);
  const { accessToken, agent } = await login(server, credentials.email, credentials.password);
  const browser = receiver.subscribe();
  const saved = await agentApi(accessToken, 'POST', '/push-subscriptions', { endpoint: browser.endpoint, keys: browser.keys, expirationTime: null });
  expect(saved.status).toBe(201);
  return { credentials, token: accessToken, agentId: agent.id, email: credentials.email, browser };
}

function eventually<T>(read: () => T) {
  return expect.poll(async () => (await settle(), read()), { timeout: 10_000, interval: 50 });
}

const pushesTo = (browserId: string) => receiver.received.filter((r) => r.subscriptionId === browserId).map((r) => r.payload as PushAlertPayload);

async function visitorWrites(body: string) {
  const visitor = await connectVisitor(server);
  const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body });
  return { visitor, conversationId: sent.message.conversationId };
}

async function patchSite(settings: object) {
  const { accessToken } = await login(server, ADMIN.email, ADMIN.password);
  const res = await fetch(`${server.url}/api/admin/sites/${server.site.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ widgetSettings: settings }),
  });
  expect(res.status).toBe(200);
}

describe.each(backends)('push and email alerts on %s', { timeout: 60_000 }, (backend) => {
  beforeAll(async () => {
    receiver = await startPushReceiver();
    relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          mails.push({ to: to?.value[0]?.address ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const smtpPort = (relay.server.address() as AddressInfo).port;
    server = await startServer({ WEBHOOK_ALLOW_PRIVATE: 'true', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'Parley <alerts@parley.test>' }, backend, { clock });
  }, 30_000);

  afterAll(async () => {
    closeAllSockets();
    await server?.close();
    await receiver?.close();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });

  beforeEach(async () => {
    await closeAgentsOut(server);
    await useNewSite(server);
    receiver.received.length = 0;
    mails.length = 0;
  });

  it('alerts each eligible agent once when a conversation waits past alertAfterSeconds, and not for one taken meanwhile; escalates by email', async () => {
    const busy = await subscribedAgent('busy', 1);
    const offDuty = await subscribedAgent('offduty');
    const other = await subscribedAgent('other');
    const deactivated = await subscribedAgent('deactivated');
    await server.parley.store.agents.update(deactivated.agentId, { active: false });
    const { socket: busySocket } = await connectAgent(server, busy.credentials);
    await ok(busySocket, 'console:visible', { visible: true });
    const first = await visitorWrites('first visitor');
    const taken = await visitorWrites('second visitor');
    const waiting = await visitorWrites('third visitor, still waiting');
    // The busy agent frees a place: the older waiting conversation is assigned, the newer one keeps waiting.
    await ok<ConversationDTO>(busySocket, 'conversation:resolve', { conversationId: first.conversationId });
    await settle();
    expect(receiver.received).toEqual([]);

    clock.advance(31_000);
    await settle();
    for (const agent of [busy, offDuty, other]) {
      expect(pushesTo(agent.browser.id)).toEqual([
        { kind: 'queueWait', conversationId: waiting.conversationId, siteId: server.site.id, siteName: 'Shop', text: 'third visitor, still waiting' },
      ]);
    }
    expect(pushesTo(deactivated.browser.id)).toEqual([]);
    expect(receiver.received.some((r) => (r.payload as PushAlertPayload).conversationId === taken.conversationId)).toBe(false);
    expect(receiver.refused).toEqual([]);
    const { publicKey } = (await agentApi<PushSetupDTO>(busy.token, 'GET', '/push')).body;
    expect(receiver.received.every((r) => r.vapidKey === publicKey && r.claims.aud === receiver.origin)).toBe(true);

    // Running the checks again sends nothing twice.
    clock.advance(1_000);
    await settle();
    expect(receiver.received).toHaveLength(3);

    clock.advance(5 * 60_000);
    await settle();
    const agentsMailed = mails.filter((m) => m.subject.startsWith('A visitor is still waiting')).map((m) => m.to).sort();
    expect(agentsMailed).toEqual([ADMIN.email, busy.email, offDuty.email, other.email].sort());
    expect(mails[0]!.text).toContain(waiting.conversationId);
    expect(mails[0]!.text).toContain('third visitor, still waiting');
    await expectAlertEmails(waiting.conversationId, 'agent-escalation', [ADMIN.email, busy.email, offDuty.email, other.email]);

    mails.length = 0;
    clock.advance(10 * 60_000);
    await settle();
    expect(mails.map((m) => m.to)).toEqual([ADMIN.email]);
  });

  it('skips an escalation the site has off, and one turned off while the conversation waits', async () => {
    await patchSite({ escalateToAgentsAfterMinutes: 0 });
    await subscribedAgent('unescalated');
    await visitorWrites('waiting without escalation');
    // The queued event's handler schedules the first check, and may do so after the visitor's answer: the clock
    // moves on once it has, or the check would be due a wait later and still pending at the end.
    await expect.poll(async () => (await server.parley.store.jobs.counts()).some((c) => c.kind === 'alert.check' && c.status === 'pending')).toBe(true);
    const escalations = () => mails.filter((m) => m.subject.startsWith('A visitor is still waiting'));
    clock.advance(31_000);
    await settle();
    clock.advance(5 * 60_000);
    await settle();
    expect(escalations()).toEqual([]);
    await patchSite({ escalateToAdminsAfterMinutes: 0 });
    clock.advance(10 * 60_000);
    await settle();
    expect(escalations()).toEqual([]);
    const checks = (await server.parley.store.jobs.counts()).filter((c) => c.kind === 'alert.check' && c.status !== 'done');
    expect(checks).toEqual([]);
  });

  it('pushes a visitor message to its agent only while no console tab of theirs is visible', async () => {
    const agent = await subscribedAgent('mine');
    const { socket } = await connectAgent(server, agent.credentials);
    // The first message, assigned to the agent at once: one push, from the assignment.
    const { visitor, conversationId } = await visitorWrites('hello');
    const pushed = (text: string) => ({ kind: 'visitorMessage', conversationId, siteId: server.site.id, siteName: 'Shop', text });
    await eventually(() => pushesTo(agent.browser.id)).toEqual([pushed('hello')]);
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'are you there?' });
    await eventually(() => pushesTo(agent.browser.id)).toEqual([pushed('hello'), pushed('are you there?')]);

    await ok(socket, 'console:visible', { visible: true });
    await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'hello again' });
    await next(socket, 'messages:new');
    await sleep(300);
    await settle();
    expect(pushesTo(agent.browser.id)).toHaveLength(2);
  });

  it('sends no PushSubscription query on visitor messages to an agent without subscriptions, once this node has read them', async () => {
    const credentials = await createAgent(server, `bare-${server.site.id.slice(-6)}`);
    const { agent } = await login(server, credentials.email, credentials.password);
    await connectAgent(server, credentials);
    const asked = vi.spyOn(server.parley.pushSubscriptions, 'subscriptions');
    const askedAbout = () => asked.mock.calls.filter(([id]) => id === agent.id).length;
    try {
      const { visitor, conversationId } = await visitorWrites('first');
      await expect.poll(askedAbout).toBe(1); // on the assignment: read from the database
      await asked.mock.results.at(-1)!.value;
      takeSqlCounts();
      for (const body of ['second', 'third']) await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body });
      await expect.poll(askedAbout).toBe(3);
      expect(takeSqlCounts()).not.toHaveProperty(['SELECT PushSubscription']);
    } finally {
      asked.mockRestore();
    }
  });

  it('pushes the next visitor message to an agent who subscribed after the previous one', async () => {
    const credentials = await createAgent(server, `late-${server.site.id.slice(-6)}`);
    const { accessToken, agent } = await login(server, credentials.email, credentials.password);
    await connectAgent(server, credentials);
    const asked = vi.spyOn(server.parley.pushSubscriptions, 'subscriptions');
    try {
      const { visitor, conversationId } = await visitorWrites('before subscribing');
      await expect.poll(() => asked.mock.calls.findIndex(([id]) => id === agent.id)).toBeGreaterThanOrEqual(0);
      // This node now holds "no subscriptions" for the agent.
      expect(await asked.mock.results[asked.mock.calls.findIndex(([id]) => id === agent.id)]!.value).toEqual([]);
      const browser = receiver.subscribe();
      expect((await agentApi(accessToken, 'POST', '/push-subscriptions', { endpoint: browser.endpoint, keys: browser.keys, expirationTime: null })).status).toBe(201);
      await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body: 'after subscribing' });
      await eventually(() => pushesTo(browser.id)).toEqual([{ kind: 'visitorMessage', conversationId, siteId: server.site.id, siteName: 'Shop', text: 'after subscribing' }]);
    } finally {
      asked.mockRestore();
    }
  });

  it('pushes a transfer to the agent who receives it', async () => {
    const from = await subscribedAgent('from');
    const to = await subscribedAgent('to');
    const { socket } = await connectAgent(server, from.credentials);
    await ok(socket, 'console:visible', { visible: true });
    const { conversationId } = await visitorWrites('please transfer me');
    await settle();
    await connectAgent(server, to.credentials);
    await ok(socket, 'conversation:transfer', { conversationId, agentId: to.agentId });
    await eventually(() => pushesTo(to.browser.id)).toEqual([{ kind: 'transfer', conversationId, siteId: server.site.id, siteName: 'Shop' }]);
    expect(pushesTo(from.browser.id)).toEqual([]);
  });

  it('emails and pushes a message left while nobody is online, admins included', async () => {
    const agent = await subscribedAgent('offline');
    const { conversationId } = await visitorWrites('I will leave a message');
    await eventually(() => pushesTo(agent.browser.id)).toEqual([{ kind: 'offlineMessage', conversationId, siteId: server.site.id, siteName: 'Shop', text: 'I will leave a message' }]);
    await eventually(() => mails.map((m) => m.to).sort()).toEqual([ADMIN.email, agent.email].sort());
    expect(mails.every((m) => m.subject === 'A visitor left a message on Shop' && m.text.includes('I will leave a message'))).toBe(true);
    await expectAlertEmails(conversationId, 'offline-message', [ADMIN.email, agent.email]);

    await patchSite({ emailOfflineMessagesToAgents: false });
    mails.length = 0;
    await visitorWrites('another one');
    await eventually(() => pushesTo(agent.browser.id)).toHaveLength(2);
    expect(mails).toEqual([]);
  });

  it("works out a message left while nobody is online once per wait: the visitor's next lines read no agent list", async () => {
    const agent = await subscribedAgent('offline-lines');
    const { visitor, conversationId } = await visitorWrites('first line');
    await eventually(() => pushesTo(agent.browser.id)).toHaveLength(1);
    const handled = vi.spyOn(AgentAlerts.prototype, 'visitorWrote');
    try {
      takeSqlCounts();
      for (const body of ['second line', 'third line']) await ok(visitor.socket, 'message:send', { conversationId, clientId: clientId(), body });
      await expect.poll(() => handled.mock.calls.length).toBe(2);
      await Promise.all(handled.mock.results.map((r) => r.value));
      expect(takeSqlCounts()).not.toHaveProperty(['SELECT Agent']);
      await settle();
      expect(pushesTo(agent.browser.id)).toHaveLength(1);
    } finally {
      handled.mockRestore();
    }
  });

  it('keeps quiet hours: no push or email inside them, in the agent\'s time zone', async () => {
    const sleeper = await subscribedAgent('sleeper');
    const awake = await subscribedAgent('awake');
    const timeZone = 'Asia/Shanghai';
    const now = localMinutes(clock.now(), timeZone);
    const preferences: AlertPreferencesDTO = {
      channels: { queueWait: { push: true }, visitorMessage: { push: true }, transfer: { push: true }, escalation: { email: true }, offlineMessage: { push: true, email: true } } as AlertPreferencesDTO['channels'],
      quietHours: { from: (now + 1440 - 60) % 1440, to: (now + 60) % 1440 },
      timeZone,
    };
    expect((await agentApi(sleeper.token, 'PUT', '/alert-preferences', preferences)).status).toBe(200);
    await visitorWrites('anyone?');
    await eventually(() => pushesTo(awake.browser.id)).toHaveLength(1);
    await eventually(() => mails.map((m) => m.to)).toContain(awake.email);
    expect(pushesTo(sleeper.browser.id)).toEqual([]);
    expect(mails.map((m) => m.to)).not.toContain(sleeper.email);
  });

  it('turns a channel off per kind', async () => {
    const agent = await subscribedAgent('picky');
    const current = (await agentApi<AlertPreferencesDTO>(agent.token, 'GET', '/alert-preferences')).body;
    const channels = { ...current.channels, offlineMessage: { push: false, email: true } };
    expect((await agentApi(agent.token, 'PUT', '/alert-preferences', { ...current, channels: pick(channels) })).status).toBe(200);
    await visitorWrites('no push please');
    await eventually(() => mails.map((m) => m.to)).toContain(agent.email);
    expect(pushesTo(agent.browser.id)).toEqual([]);
  });

  it('keeps message text and names out of pushes and emails when the site says so', async () => {
    await patchSite({ alertsWithoutMessageText: true });
    const agent = await subscribedAgent('discreet');
    const { conversationId } = await visitorWrites('my card number is 4111');
    await eventually(() => pushesTo(agent.browser.id)).toEqual([{ kind: 'offlineMessage', conversationId, siteId: server.site.id }]);
    await eventually(() => mails.length).toBe(2);
    expect(receiver.received.every((r) => !JSON.stringify(r.payload).includes('4111'))).toBe(true);
    expect(mails.every((m) => !m.text.includes('4111') && !m.subject.includes('Shop') && m.text.includes(conversationId))).toBe(true);
  });

  it('deletes a subscription its push service calls gone (410)', async () => {
    const agent = await subscribedAgent('gone');
    receiver.answer(agent.browser.id, 410);
    await visitorWrites('is anyone there');
    await expect.poll(async () => (await settle(), (await agentApi<PushSetupDTO>(agent.token, 'GET', '/push')).body.subscriptions), { timeout: 10_000 }).toEqual([]);
    const jobs = await server.parley.store.jobs.counts();
    expect(jobs.filter((j) => j.kind === 'push.send' && j.status === 'dead')).toEqual([]);
  });

  it('refuses an endpoint that is not https, and keys of the wrong size, with BAD_REQUEST', async () => {
    const agent = await subscribedAgent('careful');
    const browser = receiver.subscribe();
    const attempts = [
      { endpoint: 'ftp://push.example.com/x', keys: browser.keys },
      { endpoint: 'http://push.example.com/x', keys: browser.keys },
      { endpoint: 'https://push.example.com/x', keys: { ...browser.keys, auth: browser.keys.auth.slice(2) } },
      { endpoint: 'https://push.example.com/x', keys: { ...browser.keys, p256dh: Buffer.alloc(65, 1).toString('base64url') } },
    ];
    for (const body of attempts) {
      const res = await agentApi<{ error: { code: string; message: string } }>(agent.token, 'POST', '/push-subscriptions', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    const scheme = await agentApi<{ error: { message: string } }>(agent.token, 'POST', '/push-subscriptions', attempts[0]);
    expect(scheme.body.error.message).toBe('endpoint: must be an https: URL');
    expect((await agentApi<PushSetupDTO>(agent.token, 'GET', '/push')).body.subscriptions).toHaveLength(1);
    expect((await agentApi(agent.token, 'DELETE', `/push-subscriptions?endpoint=${encodeURIComponent(agent.browser.endpoint)}`)).status).toBe(204);
    expect((await agentApi<PushSetupDTO>(agent.token, 'GET', '/push')).body.subscriptions).toEqual([]);
  });
});

/** Only the channels each kind uses, as the API takes them. */
function pick(channels: AlertPreferencesDTO['channels']) {
  return {
    queueWait: { push: channels.queueWait.push },
    visitorMessage: { push: channels.visitorMessage.push },
    transfer: { push: channels.transfer.push },
    escalation: { email: channels.escalation.email },
    offlineMessage: channels.offlineMessage,
  };
}
