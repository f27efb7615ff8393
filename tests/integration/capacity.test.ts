/**
 * Capacity planning: `cli capacity --json` against hand-computed C, T and a published Erlang C case seeded
 * into the database, and the admin staffing view over real conversations.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../prisma/migrate.ts';
import { MESSAGE_ENVELOPE_BYTES } from '../../server/app/staffing.ts';
import type { CapacityPlan } from '../../server/cli/capacity.ts';
import type { StaffingView } from '../../server/contract/admin.ts';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import { createDatabase } from '../../server/db/client.ts';
import {
  ADMIN, backends, clientId, connectAgent, connectVisitor, createAgent, login, next, ok, useSharedServer, type TestServer,
} from '../support/parley.ts';

const run = promisify(execFile);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('npm run cli -- capacity', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-capacity-'));
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const cli = (...args: string[]) => run('npm', ['run', '--silent', 'cli', '--', 'capacity', ...args], { env, cwd: process.cwd() });
  const bench = join(dataDir, 'bench.json');
  const PER_HOUR = 200;

  /**
   * The Call Centre Helper worked example, once a week for four weeks in one hour: 200 conversations in the hour
   * (100 per half hour), each handled 180 s, so 14 agents meet 80 % within 20 s. Each has a visitor and an agent
   * message of 6 bytes ("héllo": é is two bytes); two agents answer in that hour.
   */
  beforeAll(async () => {
    writeFileSync(bench, JSON.stringify({ machine: { date: '2026-12-03T15:28:22.160Z' }, connections: { held: 1000 }, throughput: { parley: { ackedPerSecond: 100 } } }));
    const url = `file:${join(dataDir, 'parley.db')}`;
    await migrate(url);
    const { prisma, close } = createDatabase(url);
    try {
      await prisma.site.create({ data: { id: 'site1', publicKey: 'site_capacity', name: 'Shop', allowedOrigins: [], widgetSettings: {}, identitySecret: 's' } });
      await prisma.visitor.create({ data: { id: 'visitor1', siteId: 'site1', attributes: {} } });
      for (const id of ['agent1', 'agent2']) {
        await prisma.agent.create({ data: { id, email: `${id}@example.com`, name: id, passwordHash: '!', role: 'agent' } });
      }
      const hourStart = Math.floor((Date.now() - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;
      for (let week = 0; week < 4; week++) {
        const start = hourStart - week * 7 * DAY_MS;
        const rows = Array.from({ length: PER_HOUR }, (_, i) => {
          const queuedAt = new Date(start + i * 15_000);
          const assignedAt = new Date(queuedAt.getTime() + 5_000);
          return { id: `c${week}-${i}`, siteId: 'site1', visitorId: 'visitor1', status: 'resolved' as const, assigneeId: `agent${(i % 2) + 1}`, queuedAt, assignedAt, resolvedAt: new Date(assignedAt.getTime() + 180_000), lastSeq: 2 };
        });
        await prisma.conversation.createMany({ data: rows });
        await prisma.message.createMany({
          data: rows.flatMap((c) => [
            { id: `${c.id}-v`, conversationId: c.id, seq: 1, authorKind: 'visitor' as const, authorId: 'visitor1', body: 'héllo', createdAt: c.queuedAt },
            { id: `${c.id}-a`, conversationId: c.id, seq: 2, authorKind: 'agent' as const, authorId: c.assigneeId, body: 'thänk', createdAt: c.assignedAt },
          ]),
        });
      }
    } finally {
      await close();
    }
  }, 60_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints C, T, agents by Erlang C and nodes from the bench limits, against hand-computed values', async () => {
    const { stdout } = await cli('--daily-visitors', '144000', '--minutes', '10', '--service-level', '80', '--seconds', '20', '--bench', bench, '--json');
    const plan = JSON.parse(stdout) as CapacityPlan;
    // C = 144,000 · 10 / 1440 = 1,000 visitors at once.
    expect(plan.concurrentVisitors).toBe(1000);
    expect(plan.measured).toMatchObject({ conversations: 800, handleMs: 180_000, messages: 1600, messagesPerConversation: 2, timezone: 'UTC' });
    // s = 6 bytes of body + the frame; f = 1,600 messages over 28 days; T = s · f.
    const s = 6 + MESSAGE_ENVELOPE_BYTES;
    const f = 1600 / (28 * 86_400);
    expect(plan.messageBytes).toEqual({ value: s, source: 'measured', envelopeBytes: MESSAGE_ENVELOPE_BYTES });
    expect(plan.messagesPerSecond.value).toBeCloseTo(f, 4);
    expect(plan.bandwidthBytesPerSecond).toBeCloseTo(s * f, 2);
    // The busy hour is the worked example: 14 agents. On average (800 in 672 hours) one is enough.
    expect(plan.agents).toEqual({ target: { serviceLevel: 80, seconds: 20 }, average: 1, peakHour: 14 });
    // 1,000 connections over 70 % of 1,000 per process: 2 nodes.
    expect(plan.nodes).toMatchObject({ forConnections: 2, forMessages: 1, nodes: 2, marginPercent: 30, limits: { connections: 1000, messagesPerSecond: 100 } });
  }, 60_000);

  it('takes message size and rate from flags, and says when the bench result is missing', async () => {
    const missing = join(dataDir, 'no-bench.json');
    const { stdout } = await cli('--daily-visitors', '14400', '--minutes', '5', '--message-bytes', '400', '--messages-per-minute', '150', '--bench', missing, '--json');
    const plan = JSON.parse(stdout) as CapacityPlan;
    expect(plan.concurrentVisitors).toBe(50);
    expect(plan.messageBytes).toMatchObject({ value: 400, source: 'given' });
    expect(plan.messagesPerSecond).toEqual({ value: 2.5, source: 'given' });
    expect(plan.bandwidthBytesPerSecond).toBe(1000);
    expect(plan.nodes).toEqual({ missing: expect.stringContaining(`${missing} not found`) });

    const text = await cli('--daily-visitors', '14400', '--minutes', '5', '--bench', missing);
    expect(text.stdout).toContain('C = n·t/1440 = 50');
    expect(text.stdout).toContain('not found: run npm run bench');
  }, 60_000);

  it('measures one site with --site KEY, and names an unknown key', async () => {
    const { stdout } = await cli('--daily-visitors', '10', '--minutes', '5', '--site', 'site_capacity', '--bench', bench, '--json');
    expect((JSON.parse(stdout) as CapacityPlan).measured.conversations).toBe(800);
    await expect(cli('--daily-visitors', '10', '--minutes', '5', '--site', 'site_nope', '--json')).rejects.toMatchObject({ code: 1, stdout: expect.stringContaining('No site with key site_nope') });
  }, 60_000);

  it('refuses bad flags with a clear JSON error and exit code 2', async () => {
    for (const args of [['--minutes', '5'], ['--daily-visitors', '10', '--minutes', 'x'], ['--daily-visitors', '10', '--minutes', '5', '--service-level', '100'], ['--daily-visitors', '10', '--minutes', '5', '--tz', 'Mars/Base']]) {
      await expect(cli(...args, '--json'), args.join(' ')).rejects.toMatchObject({ code: 2, stdout: expect.stringContaining('"code":"BAD_REQUEST"') });
    }
    await expect(cli('--minutes', '5', '--json')).rejects.toMatchObject({ stdout: expect.stringContaining('required') });
  }, 60_000);
});

describe.each(backends)('GET /api/admin/reports/staffing on %s', (backend) => {
  let server: TestServer;
  useSharedServer((started) => (server = started), backend);

  const get = async <T>(query: string, token: string) => {
    const res = await fetch(`${server.url}/api/admin/reports/staffing?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('counts this hour\'s conversations and the agent who answered them, in the requested time zone', async () => {
    const admin = (await login(server, ADMIN.email, ADMIN.password)).accessToken;
    const agent = await connectAgent(server, await createAgent(server, `staff${Date.now()}`));
    let sentAt = 0;
    for (const text of ['first', 'second']) {
      const visitor = await connectVisitor(server);
      const assigned = next<ConversationDTO>(visitor.socket, 'conversation:updated', (c) => c.status === 'active');
      const sent = await ok<SendResult>(visitor.socket, 'message:send', { clientId: clientId(), body: text });
      sentAt ||= Date.parse(sent.message.createdAt);
      await assigned;
      await ok(agent.socket, 'message:send', { conversationId: sent.conversation.id, clientId: clientId(), body: `re: ${text}` });
      await ok(agent.socket, 'conversation:resolve', { conversationId: sent.conversation.id });
    }
    const zone = 'Asia/Kolkata';
    const local = new Date(sentAt + 5.5 * HOUR_MS);
    const hourOfWeek = ((local.getUTCDay() + 6) % 7) * 24 + local.getUTCHours();
    const res = await get<StaffingView>(`tz=${zone}&siteId=${server.site.id}&serviceLevel=90&seconds=15`, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timezone: expect.stringMatching(/^Asia\/(Kolkata|Calcutta)$/), target: { serviceLevel: 90, seconds: 15 } });
    expect(res.body.totals).toMatchObject({ conversations: 2, messages: 4, messagesPerConversation: 2 });
    expect(res.body.hours).toHaveLength(168);
    // Four weeks: two conversations and one agent this hour are half and a quarter per week.
    expect(res.body.hours[hourOfWeek]).toMatchObject({ hourOfWeek, arrivals: 0.5, agentsNeeded: 1, agentsAnswered: 0.25 });
    expect(res.body.hours.filter((h) => h.arrivals > 0)).toHaveLength(1);
  });

  it('answers a bad query with 400 and an agent with 403', async () => {
    const admin = (await login(server, ADMIN.email, ADMIN.password)).accessToken;
    for (const query of ['serviceLevel=100', 'seconds=0', 'tz=Mars/Base', 'extra=1']) {
      const res = await get<{ error: { code: string } }>(query, admin);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
    }
    const bob = await createAgent(server, `bob${Date.now()}`);
    expect((await get(`tz=UTC`, (await login(server, bob.email, bob.password)).accessToken)).status).toBe(403);
  });
});
