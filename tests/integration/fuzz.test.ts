/**
 * Property-based fuzzing of every command on both namespaces, plus crafted raw packets. Whatever arrives,
 * the server answers with an error ack (or drops it), keeps running, and other people's data is untouched.
 */
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryPage } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import {
  SITE_ORIGIN, ask, clientId, closeAllSockets, connectAgent, connectVisitor, createAgent, ok, startServer, type AgentSocket,
  type TestServer, type VisitorSocket,
} from '../support/parley.ts';

const VISITOR_EVENTS = ['message:send', 'conversation:list', 'history:get', 'typing', 'conversation:read', 'conversation:rate', 'visitor:update', 'visitor:identify'];
const AGENT_EVENTS = [
  'conversation:list', 'conversation:get', 'history:get', 'message:send', 'conversation:claim', 'conversation:transfer',
  'conversation:unassign', 'conversation:resolve', 'agent:setStatus', 'agents:list', 'typing', 'conversation:read',
  'conversation:reopen', 'conversation:search', 'conversation:setLabels', 'canned:list',
];

let server: TestServer;
let victim: { socket: VisitorSocket; conversationId: string; transcript: string[] };
let attacker: VisitorSocket;
let agent: AgentSocket;

beforeAll(async () => {
  server = await startServer();
  const v = await connectVisitor(server);
  const sent = await ok<SendResult>(v.socket, 'message:send', { clientId: clientId(), body: 'the victim speaks' });
  victim = { socket: v.socket, conversationId: sent.conversation.id, transcript: [] };
  victim.transcript = (await ok<HistoryPage>(v.socket, 'history:get', { conversationId: victim.conversationId })).messages.map((m) => m.id);
  attacker = (await connectVisitor(server)).socket;
  // A separate agent on another site, so fuzzed agent commands cannot legitimately touch the victim.
  const other = await server.parley.admin.createSite({ name: 'Elsewhere', origins: ['https://elsewhere.example'] });
  const credentials = { email: 'fuzzer@example.com', password: 'fuzzer-password' };
  await server.parley.admin.createAgent({ ...credentials, role: 'agent', siteIds: [other.id] });
  agent = (await connectAgent(server, credentials)).socket;
}, 60_000);

afterAll(async () => {
  closeAllSockets();
  await server.close();
});

/** Hostile values: prototype keys, deep nesting, huge and odd strings, numbers that are not numbers. */
const hostileLeaf = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '{"$ne":null}', '\u202e\u0000\ud800', "' OR 1=1 --", 'x'.repeat(6000)),
  fc.integer(), fc.double(), fc.constantFrom(NaN, Infinity, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(), fc.constant(null), fc.constant(undefined),
);
const hostileKey = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'conversationId', 'clientId', 'body', 'seq', 'agentId', 'view'));
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, hostileLeaf, fc.array(tie('tree'), { maxLength: 5 }), fc.dictionary(hostileKey, tie('tree'), { maxKeys: 6 })),
}));
/** Mostly near-valid shapes, so validation past the first field gets exercised too. */
const payload = fc.oneof(
  tree,
  fc.record(
    { conversationId: fc.oneof(fc.constant('victim'), hostileLeaf), clientId: hostileLeaf, body: hostileLeaf, seq: hostileLeaf, typing: hostileLeaf, view: hostileLeaf, agentId: hostileLeaf, query: hostileLeaf, labels: tree, rating: hostileLeaf, userId: hostileLeaf, hash: hostileLeaf },
    { requiredKeys: [] },
  ),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);

/** Points "victim" placeholders at the real victim conversation: attacks aim at someone else's data. */
function aim(value: unknown): unknown {
  if (value === 'victim') return victim.conversationId;
  if (Array.isArray(value)) return value.map(aim);
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, aim(v)]));
  return value;
}

async function assertVictimUntouched() {
  const page = await ok<HistoryPage>(victim.socket, 'history:get', { conversationId: victim.conversationId });
  expect(page.messages.map((m) => m.id)).toEqual(victim.transcript);
}

describe('fuzzing every command', () => {
  it.each([
    ['visitor', VISITOR_EVENTS],
    ['agent', AGENT_EVENTS],
  ] as const)('%s commands answer hostile payloads with typed errors and touch nobody else', async (who, events) => {
    const socket = who === 'visitor' ? attacker : agent;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...events), payload, async (event, raw) => {
        const ack = await ask(socket, event, aim(raw));
        expect(typeof ack.ok).toBe('boolean');
        if (!ack.ok) expect(ack.error.code).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 400 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await assertVictimUntouched();
    expect((await ask(socket, who === 'visitor' ? 'conversation:list' : 'agents:list', {})).ok).toBe(true);
  }, 120_000);
});

describe('crafted raw packets', () => {
  it('survives malformed Socket.IO frames and keeps serving', async () => {
    const { token } = await (await fetch(`${server.url}/api/widget/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: SITE_ORIGIN }, body: JSON.stringify({ siteKey: server.site.publicKey }),
    })).json() as { token: string };
    const frames: (string | Buffer)[] = [
      `40/visitor,${JSON.stringify({ token })}`,
      '42/visitor,["message:send",', // truncated JSON
      '42/visitor,{"not":"an array"}',
      '42/visitor,[]',
      '42/visitor,[42,{}]',
      '42/visitor,7["message:send",{}]',
      `42/visitor,${'['.repeat(5000)}${']'.repeat(5000)}`,
      '451-/visitor,["message:send",{"_placeholder":true,"num":99}]', // binary placeholder with no attachment
      '452-/visitor,0["message:send",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
      '4', '9', '', '\u0000\u0000',
      '40/nope,',
      '41/visitor,',
    ];
    for (const frame of frames) {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: SITE_ORIGIN } });
      await new Promise<void>((resolve) => {
        ws.on('open', () => {
          ws.send(`40/visitor,${JSON.stringify({ token })}`);
          ws.send(frame);
          setTimeout(() => { ws.terminate(); resolve(); }, 30);
        });
        ws.on('error', () => resolve());
      });
    }
    const fresh = await connectVisitor(server);
    expect((await ask(fresh.socket, 'message:send', { clientId: clientId(), body: 'still alive' })).ok).toBe(true);
    await assertVictimUntouched();
  }, 60_000);
});
