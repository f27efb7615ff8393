/**
 * An in-process Parley on port 0 with a temporary SQLite file, plus real socket.io-client visitors and
 * agents. Everything goes over real HTTP and WebSocket connections on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { Ack } from '../../server/contract/errors.ts';
import type { AgentSession, VisitorSessionResponse } from '../../server/contract/http.ts';
import type { AgentClientToServer, AgentServerToClient, VisitorClientToServer, VisitorServerToClient } from '../../server/contract/events.ts';
import { loadConfig } from '../../server/config.ts';
import { createParley, type Parley } from '../../server/composition.ts';
import type { SiteRecord } from '../../server/app/ports.ts';
import type { Clock } from '../../server/domain/clock.ts';
import { dropSchema, postgresAvailable, throwawaySchema } from './postgres.ts';
import { nextInBatch } from './socket-waits.ts';

/** Waits on events: the timeout counts from the first await (see socket-waits.ts). */
export { nextEvent as next } from './socket-waits.ts';

export type VisitorSocket = Socket<VisitorServerToClient, VisitorClientToServer>;
export type AgentSocket = Socket<AgentServerToClient, AgentClientToServer>;

export const SITE_ORIGIN = 'https://shop.example.com';
export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

/** Where clients connect: one server, or one node of a cluster with the site under test. */
export interface Target {
  url: string;
  site: SiteRecord;
}

export interface TestServer extends Target {
  parley: Parley;
  url: string;
  dataDir: string;
  site: SiteRecord;
  /** The server's last log lines (warnings and worse unless LOG_LEVEL says otherwise), for failure messages. */
  logs: string[];
  close(): Promise<void>;
}

export type Backend = 'sqlite' | 'postgresql';

/** The backends integration suites run on: SQLite always, PostgreSQL when reachable (required under CI). */
export const backends: Backend[] = postgresAvailable ? ['sqlite', 'postgresql'] : ['sqlite'];

const KEPT_LOG_LINES = 200;

export async function startServer(env: Record<string, string> = {}, backend: Backend = 'sqlite', options: { clock?: Clock } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-test-'));
  const pgSchema = backend === 'postgresql' ? throwawaySchema() : null;
  const config = loadConfig({
    ...(pgSchema ? { DATABASE_URL: pgSchema.url } : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'warn',
    // Every test client comes from 127.0.0.1; limits have their own tests with RATE_LIMIT_SCALE=1.
    RATE_LIMIT_SCALE: '1000',
    ...env,
  });
  const logs: string[] = [];
  const inMemory = {
    write(line: string) {
      logs.push(line.trimEnd());
      if (logs.length > KEPT_LOG_LINES) logs.shift();
    },
  };
  const parley = await createParley(config, { log: pino({ level: config.LOG_LEVEL }, inMemory), clock: options.clock });
  const url = await parley.listen();
  const site = await parley.admin.createSite({ name: 'Shop', origins: [SITE_ORIGIN] });
  return {
    parley,
    url,
    dataDir,
    site,
    logs,
    async close() {
      await parley.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (pgSchema) await dropSchema(pgSchema.schema);
    },
  };
}

/** Gives the server a fresh site (and so a fresh queue), so tests sharing one server stay independent. */
export async function useNewSite(server: TestServer, name = 'Shop'): Promise<SiteRecord> {
  server.site = await server.parley.admin.createSite({ name, origins: [SITE_ORIGIN] });
  return server.site;
}

/**
 * One server for the whole file (or describe block), a fresh site before each test, the test's sockets closed
 * after it. `onStart` hands the server to the test file's own variable.
 */
export function useSharedServer(onStart: (server: TestServer) => void, backend: Backend = 'sqlite'): void {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startServer({}, backend);
    onStart(server);
  });
  beforeEach(async () => {
    await useNewSite(server!);
  });
  afterEach(() => closeAgentsOut(server!));
  afterAll(() => server?.close());
}

/** Sockets opened by a test, closed after it. */
const openSockets = new Set<Socket>();
export function closeAllSockets() {
  for (const s of openSockets) s.disconnect();
  openSockets.clear();
}

/**
 * Closes the test's sockets and waits until routing counts no agent connected, so one test's agents do not leak
 * into the next one's routing (routing reads who is connected after each disconnect, not at once).
 */
export async function closeAgentsOut(server: TestServer): Promise<void> {
  closeAllSockets();
  for (let waited = 0; server.parley.routing.listAgents().some((a) => a.connected); waited += 10) {
    if (waited > 10_000) throw new Error('agents still counted connected 10 s after their sockets closed');
    await sleep(10);
  }
}

export async function visitorSession(server: Target, origin = SITE_ORIGIN, token?: string): Promise<VisitorSessionResponse> {
  const res = await fetch(`${server.url}/api/widget/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ siteKey: server.site.publicKey, ...(token ? { token } : {}) }),
  });
  if (!res.ok) throw new Error(`session ${res.status}: ${await res.text()}`);
  return (await res.json()) as VisitorSessionResponse;
}

export async function connectVisitor(
  server: Target,
  options: { origin?: string; token?: string; beforeConnect?: (socket: VisitorSocket) => void } = {},
) {
  const session = options.token ? null : await visitorSession(server);
  const token = options.token ?? session!.token;
  const socket: VisitorSocket = io(`${server.url}/visitor`, {
    transports: ['websocket'],
    auth: { token },
    extraHeaders: { origin: options.origin ?? SITE_ORIGIN },
    reconnection: false,
    forceNew: true,
  });
  openSockets.add(socket);
  options.beforeConnect?.(socket);
  await connected(socket);
  return { socket, token, visitorId: session?.visitorId };
}

export async function login(server: Target, email: string, password: string): Promise<AgentSession> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login ${res.status}: ${await res.text()}`);
  return (await res.json()) as AgentSession;
}

export async function createAgent(server: TestServer, name: string, capacity = 3) {
  const email = `${name}@example.com`;
  const password = `${name}-password`;
  await server.parley.admin.createAgent({ email, password, name, role: 'agent', capacity, siteIds: [server.site.id] });
  return { email, password };
}

export async function connectAgent(server: Target, credentials: { email: string; password: string }, origin?: string) {
  const session = await login(server, credentials.email, credentials.password);
  const socket: AgentSocket = io(`${server.url}/agent`, {
    transports: ['websocket'],
    auth: { token: session.accessToken },
    extraHeaders: { origin: origin ?? server.url },
    reconnection: false,
    forceNew: true,
  });
  openSockets.add(socket);
  await connected(socket);
  // Routing reads who is connected after a connection opens; a read asked for now includes this one, so the
  // test's next step (a visitor writing, say) finds the agent online.
  if ('parley' in server) await (server as TestServer).parley.routing.presenceChanged();
  return { socket, session, agentId: session.agent.id };
}

export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Emits a command and resolves with its ack (fails the test after 5 s without one). */
export function ask<T>(socket: Socket, event: string, payload: unknown): Promise<Ack<T>> {
  return (socket.timeout(5000) as Socket).emitWithAck(event, payload) as Promise<Ack<T>>;
}

export async function ok<T>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const ack = await ask<T>(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** Collects every event of a kind, for asserting that something did NOT arrive. */
export function record<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (value: T) => seen.push(value));
  return seen;
}

/** The next message an agent's socket hears of that matches `where` (agents get messages in batches). */
export function nextAgentMessage(socket: Socket, where: (message: MessageDTO) => boolean = () => true, timeoutMs = 5000): PromiseLike<MessageDTO> {
  return nextInBatch(socket, 'messages:new', where, timeoutMs);
}

/** Every message an agent's socket hears of from now on, in order. */
export function recordAgentMessages(socket: Socket): MessageDTO[] {
  const seen: MessageDTO[] = [];
  socket.on('messages:new', (messages: MessageDTO[]) => seen.push(...messages));
  return seen;
}

/** The next conversation change an agent's socket hears of that matches `where` (agents get changes in batches). */
export function nextAgentConversation<T extends { id: string }>(socket: Socket, where: (conversation: T) => boolean = () => true, timeoutMs = 5000): PromiseLike<T> {
  return nextInBatch(socket, 'conversations:updated', where, timeoutMs);
}

/** Every conversation change an agent's socket hears of from now on, in order. */
export function recordAgentConversations<T>(socket: Socket): T[] {
  const seen: T[] = [];
  socket.on('conversations:updated', (conversations: T[]) => seen.push(...conversations));
  return seen;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const clientId = () => crypto.randomUUID();
