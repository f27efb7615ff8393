/** Wires the real parts together: database, services, Socket.IO and Express on one HTTP server. */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger as Pino } from 'pino';
import { Server } from 'socket.io';
import { migrate } from '../prisma/migrate.ts';
import { MAX_PACKET_BYTES } from './contract/events.ts';
import type { Config } from './config.ts';
import { normaliseOrigin } from './auth/origins.ts';
import { loadSigningSecret } from './auth/secret.ts';
import { TokenSigner } from './auth/tokens.ts';
import { AdminService } from './app/admin.ts';
import { Limits } from './app/limits.ts';
import { createTopology } from './cluster/topology.ts';
import { AttachmentLinks, AttachmentService } from './app/attachments.ts';
import { AuthService } from './app/auth.ts';
import { TeamService } from './app/team.ts';
import { bootstrap, type BootstrapResult } from './app/bootstrap.ts';
import { ConversationService } from './app/conversations.ts';
import { newId } from './app/ids.ts';
import type { Store } from './app/ports.ts';
import { RoutingService, type Routing } from './app/routing.ts';
import { VisitorSessionService } from './app/visitor-sessions.ts';
import { Visibility } from './app/visibility.ts';
import { VisitorService } from './app/visitors.ts';
import { createDatabase } from './db/client.ts';
import { createStore } from './db/store.ts';
import { wallClock, type Clock } from './domain/clock.ts';
import { createHttpApp } from './http/app.ts';
import { mountAgentNamespace } from './realtime/agent-namespace.ts';
import { commandFactory, InFlight } from './realtime/command.ts';
import { trimHandshakeRequests } from './realtime/handshake.ts';
import { SocketNotifier, type AgentNamespace, type VisitorNamespace } from './realtime/notifier.ts';
import { mountVisitorNamespace } from './realtime/visitor-namespace.ts';

export interface Parley {
  httpServer: HttpServer;
  store: Store;
  routing: Routing;
  admin: AdminService;
  firstRun: BootstrapResult;
  /** Starts listening; resolves with the URL clients use. */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight writes finish, closes connections and the database. */
  close(): Promise<void>;
}

export async function createParley(config: Config, options: { log?: Pino; clock?: Clock } = {}): Promise<Parley> {
  const log = options.log ?? pino({ level: config.LOG_LEVEL });
  const clock = options.clock ?? wallClock;
  const publicOrigin = config.PUBLIC_URL ? (normaliseOrigin(config.PUBLIC_URL) ?? undefined) : undefined;

  const applied = await migrate(config.DATABASE_URL);
  if (applied.applied.length > 0) log.info({ migrations: applied.applied }, 'database migrated');
  const database = createDatabase(config.DATABASE_URL);
  const secret = loadSigningSecret(config.JWT_SECRET, config.DATA_DIR);
  const links = new AttachmentLinks(secret, clock);
  const store = createStore(database.prisma, newId, { provider: database.provider, attachmentUrl: (id) => links.url(id) });
  const signer = new TokenSigner(secret, config.ACCESS_TOKEN_TTL_S, config.VISITOR_TOKEN_TTL_DAYS * 86_400);

  const topology = createTopology(config, clock, log);
  const httpServer = createServer();
  const io = new Server(httpServer, {
    adapter: topology.adapter,
    // WebSocket only: no long-polling, so several nodes need no sticky sessions.
    transports: ['websocket'],
    maxHttpBufferSize: MAX_PACKET_BYTES,
    serveClient: false,
    // A client that vanishes without closing (sleeping laptop, dead network) is noticed after interval + timeout.
    pingInterval: config.PING_INTERVAL_MS,
    pingTimeout: config.PING_TIMEOUT_MS,
  });
  trimHandshakeRequests(io);
  // One Server carries two namespaces with different event maps, so each is typed where it is taken.
  const visitorNsp = io.of('/visitor') as unknown as VisitorNamespace;
  const agentNsp = io.of('/agent') as unknown as AgentNamespace;
  const notifier = new SocketNotifier(visitorNsp, agentNsp, topology.clustered ? io : undefined);
  const connectedAgents = async () => new Set((await agentNsp.fetchSockets()).map((s) => (s.data as { agentId: string }).agentId));
  const routingService = new RoutingService(store, notifier, clock, config.REQUEUE_GRACE_MS, log, connectedAgents);
  const routing = topology.routing(routingService, io);
  const limits = new Limits(topology.buckets, config.RATE_LIMIT_SCALE);
  const conversations = new ConversationService(store, routing, notifier, clock, limits, new Visibility(store));
  const admin = new AdminService(store);
  const team = new TeamService(store, routing, notifier, clock);
  const auth = new AuthService(store, signer, routing, clock, newId, config.REFRESH_TOKEN_TTL_DAYS * 86_400_000, limits);
  const sessions = new VisitorSessionService(store, signer, (siteId) => routing.agentsOnline(siteId), clock);
  const visitors = new VisitorService(store, notifier, signer);
  const attachments = new AttachmentService(store, links);

  const firstRun = await bootstrap(store, admin, {
    adminEmail: config.ADMIN_EMAIL,
    adminPassword: config.ADMIN_PASSWORD,
    demoOrigins: publicOrigin ? [publicOrigin] : [`http://localhost:${config.PORT || 3000}`],
  });
  await topology.start();

  const inflight = new InFlight();
  const command = commandFactory(log, inflight);
  const realtime = { signer, conversations, limits, log, command, publicOrigin, trustProxy: config.TRUST_PROXY };
  mountVisitorNamespace(visitorNsp, { ...realtime, store, routing, visitors });
  mountAgentNamespace(agentNsp, { ...realtime, routing });
  httpServer.on('request', createHttpApp({ store, auth, sessions, attachments, limits, signer, routing, team, log, publicOrigin, trustProxy: config.TRUST_PROXY, role: topology.role }));

  return {
    httpServer,
    store,
    routing,
    admin,
    firstRun,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.PORT, config.HOST, () => {
          const { port } = httpServer.address() as AddressInfo;
          const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
          resolve(publicOrigin ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
        });
      }),
    async close() {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Stop taking commands, let running ones commit, then drop the connections.
      await Promise.race([inflight.settled(), delay(config.SHUTDOWN_TIMEOUT_MS)]);
      await topology.stop();
      io.disconnectSockets(true);
      httpServer.closeAllConnections();
      await closed;
      await database.close();
    },
  };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
