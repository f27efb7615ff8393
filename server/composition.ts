/** Wires the real parts together: database, services, Socket.IO and Express on one HTTP server. */
import { createServer, type Server as HttpServer } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import pino, { type Logger as Pino } from 'pino';
import { Server } from 'socket.io';
import { migrate } from '../prisma/migrate.ts';
import { MAX_PACKET_BYTES } from './contract/events.ts';
import type { Config } from './config.ts';
import { compileTrust } from './auth/client-address.ts';
import { normaliseOrigin } from './auth/origins.ts';
import { loadSigningSecret } from './auth/secret.ts';
import { TokenSigner } from './auth/tokens.ts';
import { AdminService, sitesWithIgnoredOrigins } from './app/admin.ts';
import { AgentAlerts } from './app/alerts.ts';
import { AlertSettings } from './app/alert-settings.ts';
import { subscribeAlerts } from './app/alert-subscriber.ts';
import { PushSubscriptionCache, type SubscriptionChange } from './app/push-subscription-cache.ts';
import { webhookEndpointCache, type EndpointsChange, type WebhookEndpointCache } from './app/webhook-endpoint-cache.ts';
import { siteVisibilityCache, type SiteVisibilityCache, type SiteVisibilityChange } from './app/site-visibility-cache.ts';
import { handlePushDeliveries } from './push/deliver.ts';
import { loadVapidKeys } from './push/vapid-keys.ts';
import { ApiAttachments } from './app/api-attachments.ts';
import { ApiConversations } from './app/api-conversations.ts';
import { ApiDirectory } from './app/api-directory.ts';
import { ApiTeam } from './app/api-team.ts';
import { ApiKeyService } from './app/api-keys.ts';
import { CursorCodec } from './app/cursor.ts';
import { Limits } from './app/limits.ts';
import { createTopology } from './cluster/topology.ts';
import { peerChannel } from './cluster/peer-channel.ts';
import { AttachmentLinks, AttachmentService } from './app/attachments.ts';
import { AuthService } from './app/auth.ts';
import { TeamService } from './app/team.ts';
import { bootstrap, type BootstrapResult } from './app/bootstrap.ts';
import { ConversationService } from './app/conversations.ts';
import { DomainEvents } from './app/events.ts';
import { newId } from './app/ids.ts';
import type { Notifier, Store } from './app/ports.ts';
import { RoutingService } from './app/routing.ts';
import type { Routing } from './app/routing-port.ts';
import { VisitorSessionService } from './app/visitor-sessions.ts';
import { Visibility } from './app/visibility.ts';
import { VisitorService } from './app/visitors.ts';
import { WebhookService } from './app/webhooks.ts';
import { KnowledgeBase } from './app/knowledge-base/articles.ts';
import { KnowledgeBaseEvaluation } from './app/knowledge-base/evaluation.ts';
import { siteAnswerEvaluator } from './bots/ai/site-evaluation.ts';
import { StoredBotFirst } from './app/bot-first.ts';
import { realTimers } from './app/timers.ts';
import { createBots, type Bots } from './bots/wiring.ts';
import { createDatabase } from './db/client.ts';
import type { InboundEmailService } from './app/inbound-email.ts';
import { ContinueSessionService } from './app/continue-sessions.ts';
import { createEmailParts } from './email/email-parts.ts';
import { securePrivateFiles } from './private-files.ts';
import { createStore } from './db/store.ts';
import { wallClock, type Clock } from './domain/clock.ts';
import { createHttpApp } from './http/app.ts';
import type { EmailOutbox } from './email/outbox.ts';
import type { EmailTokens } from './email/tokens.ts';
import { wireEmail } from './email/wiring.ts';
import { JobOutbox } from './jobs/outbox.ts';
import { JobWorker } from './jobs/worker.ts';
import { SERVER_TIMEOUTS } from './http/slow-body.ts';
import { mountAgentNamespace } from './realtime/agent-namespace.ts';
import { InFlight } from './realtime/command.ts';
import { capConnectionsPerAddress } from './realtime/connection-cap.ts';
import { refuseDefaultNamespace, trimHandshakeRequests } from './realtime/handshake.ts';
import { rooms, serverEvents, SocketNotifier, type AgentNamespace, type VisitorNamespace } from './realtime/notifier.ts';
import type { AgentSocketData } from './realtime/agent-namespace.ts';
import { subscribeSocketNotifier } from './realtime/notifier-subscription.ts';
import { mountVisitorNamespace } from './realtime/visitor-namespace.ts';
import { metricsHandler, metricsServer } from './metrics/endpoint.ts';
import { Metrics } from './metrics/metrics.ts';
import { resolveTarget } from './webhooks/address-guard.ts';
import { handleWebhookDeliveries, webhookRetry } from './webhooks/deliver.ts';
import { subscribeWebhooks } from './webhooks/subscriber.ts';

export interface Parley {
  httpServer: HttpServer;
  store: Store;
  routing: Routing;
  admin: AdminService;
  webhooks: WebhookService;
  /** Knowledge-base articles; the bots' ArticleSearch. */
  knowledgeBase: KnowledgeBase;
  /** Bot admin use cases, the bot kinds (register more here) and the runner. */
  bots: Bots;
  /** Pushes to connected consoles and widgets. */
  notifier: Notifier;
  /** Every committed fact, for subscribers (the socket notifier; email, push, webhooks…). */
  events: DomainEvents;
  /** Prometheus metrics; `metrics.recordDelivery` counts webhook and email deliveries. */
  metrics: Metrics;
  /** The METRICS_PORT server (127.0.0.1), listening once listen() resolves; undefined without METRICS_PORT. */
  metricsServer: HttpServer | undefined;
  /** Email replies into conversations; undefined without MAIL_REPLY_DOMAIN. */
  inboundEmail: InboundEmailService | undefined;
  /** The port the SMTP receiver listens on once listen() resolves; undefined without INBOUND_SMTP_PORT. */
  inboundSmtpPort(): number | undefined;
  /** Which agents have push subscriptions, as this node's visitor-message alerts see them. */
  pushSubscriptions: PushSubscriptionCache;
  /** Each site's enabled webhook endpoints, as this node's domain events see them. */
  webhookEndpoints: WebhookEndpointCache;
  /** Which sites every agent sees whole, as this node's socket notifier sees them. */
  siteVisibility: SiteVisibilityCache;
  /** The durable job outbox: subscribers enqueue; this process's worker runs the kinds registered with it. */
  jobs: { outbox: JobOutbox; worker: JobWorker };
  /**
   * Outgoing email: `email.outbox.queue(…)` is how every feature sends one (off without SMTP_URL); `email.tokens`
   * signs the reply, continue and unsubscribe tokens emails carry.
   */
  email: { outbox: EmailOutbox; tokens: EmailTokens };
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

  for (const change of securePrivateFiles({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, secretInDataDir: !config.JWT_SECRET })) {
    log.warn(change, 'permissions tightened to owner-only');
  }
  const applied = await migrate(config.DATABASE_URL);
  if (applied.applied.length > 0) log.info({ migrations: applied.applied }, 'database migrated');
  const database = createDatabase(config.DATABASE_URL);
  const secret = loadSigningSecret(config.JWT_SECRET, config.DATA_DIR);
  const links = new AttachmentLinks(secret, clock);
  const events = new DomainEvents(log);
  // Its sources are read at scrape time, after everything below exists.
  const metrics = new Metrics({
    events,
    clock,
    connected: () => ({ visitors: visitorNsp.sockets.size, agents: agentNsp.sockets.size }),
    waitingLines: () => routingService.waitingLines(),
    role: () => topology.role(),
    jobCounts: () => store.jobs.counts(),
  });
  const store = createStore(database, newId, { attachmentUrl: (id) => links.url(id), onBatch: metrics.observeBatch });
  const signer = new TokenSigner(secret, config.ACCESS_TOKEN_TTL_S, config.VISITOR_TOKEN_TTL_DAYS * 86_400);

  const topology = createTopology(config, clock, log);
  const trust = compileTrust(config.TRUST_PROXY);
  const httpServer = createServer(SERVER_TIMEOUTS);
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
  const perAddressCap = capConnectionsPerAddress(io, { trust, scale: config.RATE_LIMIT_SCALE, log });
  io.use(perAddressCap);
  refuseDefaultNamespace(io, log);
  // One Server carries two namespaces with different event maps, so each is typed where it is taken.
  const visitorNsp = io.of('/visitor') as unknown as VisitorNamespace;
  const agentNsp = io.of('/agent') as unknown as AgentNamespace;
  // First, before any namespace's own checks: an address over its cap costs no token check or lookup.
  visitorNsp.use(perAddressCap);
  agentNsp.use(perAddressCap);
  const siteVisibility = siteVisibilityCache(store.sites, clock, topology.clustered ? peerChannel<SiteVisibilityChange>(io, serverEvents.siteVisibilityChanged) : undefined);
  const notifier = new SocketNotifier(visitorNsp, agentNsp, { peers: topology.clustered ? io : undefined, siteVisibility });
  subscribeSocketNotifier(events, notifier);
  // Every node works the outbox; leases keep each job on one worker at a time.
  const worker = new JobWorker({ store: store.jobs, clock, log, workerId: `${hostname()}:${process.pid}:${newId()}` });
  const outbox = new JobOutbox(store.jobs, clock, () => worker.kick());
  const webhookEndpoints = webhookEndpointCache(store.webhooks, clock, topology.clustered ? peerChannel<EndpointsChange>(io, serverEvents.webhookEndpointsChanged) : undefined);
  const webhooks = new WebhookService({
    webhooks: store.webhooks,
    endpoints: webhookEndpoints,
    sites: store.sites,
    outbox,
    clock,
    checkTarget: (url) => resolveTarget(url, config.WEBHOOK_ALLOW_PRIVATE),
  });
  subscribeWebhooks(events, webhooks);
  // Links in email and to articles are absolute: PUBLIC_URL, else the address this node listens on (set by listen()).
  let listeningOrigin = `http://localhost:${config.PORT}`;
  const ownOrigin = () => publicOrigin ?? listeningOrigin;
  const email = wireEmail({
    config,
    secret,
    store,
    clock,
    log,
    events,
    jobs: { outbox, worker },
    onOutcome: (outcome) => metrics.recordDelivery('email', outcome),
    visitorConnected: async (visitorId) => (await visitorNsp.in(rooms.visitor(visitorId)).fetchSockets()).length > 0,
    publicOrigin: ownOrigin,
  });
  handleWebhookDeliveries(worker, { webhooks: store.webhooks, endpoints: webhookEndpoints, clock, log, notifier, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, timeoutMs: config.WEBHOOK_TIMEOUT_MS, retry: webhookRetry(config.WEBHOOK_RETRY_BASE_MS), onOutcome: (outcome) => metrics.recordDelivery('webhook', outcome) });
  const connectedAgents = async () => new Set((await agentNsp.fetchSockets()).map((s) => (s.data as { agentId: string }).agentId));
  const routingService = new RoutingService(store, events, notifier, clock, config.REQUEUE_GRACE_MS, log, connectedAgents, realTimers, new StoredBotFirst(store, clock));
  const routing = topology.routing(routingService, io);
  const vapid = loadVapidKeys({ publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY }, config.DATA_DIR);
  if (vapid.generated && topology.clustered) {
    log.warn('Web Push keys were generated into this node\'s DATA_DIR: set VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, the same on every node, or push subscriptions break across nodes');
  }
  const pushSubscriptions = new PushSubscriptionCache(store.alerts, clock, topology.clustered ? peerChannel<SubscriptionChange>(io, serverEvents.pushSubscriptionsChanged) : undefined);
  const alertSettings = new AlertSettings(store.alerts, vapid.publicKey, pushSubscriptions);
  handlePushDeliveries(worker, {
    alerts: store.alerts,
    cache: pushSubscriptions,
    keys: vapid,
    subject: publicOrigin?.startsWith('https:') ? publicOrigin : `mailto:${config.ADMIN_EMAIL}`,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    log,
    onOutcome: (outcome) => metrics.recordDelivery('push', outcome),
  });
  const alerts = new AgentAlerts({
    store,
    pushSubscriptions,
    outbox,
    clock,
    emails: email.outbox,
    consoleVisible: async (agentId) => (await agentNsp.in(rooms.agent(agentId)).fetchSockets()).some((s) => (s.data as AgentSocketData).consoleVisible === true),
    anyoneOnline: (siteId) => routing.agentsOnline(siteId),
    consoleUrl: publicOrigin ? `${publicOrigin}/console/` : null,
  });
  subscribeAlerts(events, worker, alerts);
  const limits = new Limits(topology.buckets, config.RATE_LIMIT_SCALE);
  const visibility = new Visibility(store);
  const conversations = new ConversationService(store, routing, events, notifier, clock, limits, visibility, email.outbox.enabled);
  const admin = new AdminService(store);
  const team = new TeamService(store, routing, notifier, clock, admin);
  const auth = new AuthService(store, signer, routing, clock, newId, config.REFRESH_TOKEN_TTL_DAYS * 86_400_000, limits, notifier);
  const sessions = new VisitorSessionService(store, signer, (siteId) => routing.agentsOnline(siteId), clock, email.outbox.enabled);
  const visitors = new VisitorService(store, events, signer);
  const knowledgeBase = new KnowledgeBase({ sites: store.sites, knowledgeBase: store.knowledgeBase, baseUrl: ownOrigin });
  const apiKeys = new ApiKeyService(store.apiKeys, store, clock);
  const bots = createBots({ store, routing, conversations, visitors, apiKeys, notifier, events, jobs: { outbox, worker }, clock, log, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE, articleSearch: knowledgeBase });
  const kbEvaluation = new KnowledgeBaseEvaluation(knowledgeBase, store.knowledgeBase, knowledgeBase, siteAnswerEvaluator(store.bots, (bot) => bots.kinds.responder(bot)));
  const kb = { articles: knowledgeBase, evaluation: kbEvaluation };
  const attachments = new AttachmentService(store, links, clock, {
    addressBytes: config.UPLOAD_QUOTA_ADDRESS_MB * MB * config.RATE_LIMIT_SCALE,
    siteBytes: config.UPLOAD_QUOTA_SITE_MB * MB * config.RATE_LIMIT_SCALE,
    unsentBytes: config.UPLOAD_UNSENT_MAX_MB * MB,
    unsentTtlMs: config.UPLOAD_UNSENT_TTL_MIN * 60_000,
  });
  const apiV1 = {
    apiKeys,
    limits,
    conversations: new ApiConversations(store, conversations, routing, visibility, new CursorCodec(secret)),
    directory: new ApiDirectory(store, routing, visitors, team),
    team: new ApiTeam(routing, team),
    attachments: new ApiAttachments(store, routing, visibility, attachments, links, limits),
  };
  const replies = createEmailParts(config, { store, conversations, attachments, routing, visibility, notifier, emails: email.outbox, tokens: email.tokens, clock, log });
  let smtpPort: number | undefined;

  const firstRun = await bootstrap(store, admin, {
    adminEmail: config.ADMIN_EMAIL,
    adminPassword: config.ADMIN_PASSWORD,
    demoOrigins: !config.DEMO ? null : publicOrigin ? [publicOrigin] : [`http://localhost:${config.PORT || 3000}`],
  });
  for (const { siteKey, ignored } of await sitesWithIgnoredOrigins(store)) {
    log.warn({ site: siteKey, ignored }, 'allowed origins ignored by CORS and frame-ancestors: not a scheme, host and port; correct them in the console');
  }
  await topology.start();
  worker.start();
  const sweep = setInterval(() => {
    attachments.sweepUnsent().then(
      (deleted) => deleted > 0 && log.info({ deleted }, 'deleted unsent attachments'),
      (error: unknown) => log.warn({ err: error }, 'unsent attachment sweep failed'),
    );
  }, UNSENT_SWEEP_INTERVAL_MS).unref();

  const separateMetrics = config.METRICS_PORT === undefined ? undefined : metricsServer(metrics, config.METRICS_TOKEN);
  const mainPortMetrics = !separateMetrics && config.METRICS_TOKEN ? metricsHandler(metrics, config.METRICS_TOKEN) : undefined;
  const inflight = new InFlight();
  const realtime = { signer, conversations, limits, log, inflight, publicOrigin, trust, onAnswered: metrics.observeCommand };
  mountVisitorNamespace(visitorNsp, { ...realtime, store, routing, visitors, transcripts: replies.transcripts });
  mountAgentNamespace(agentNsp, { ...realtime, routing, auth, inboundEmail: replies.inbound, siteVisibility });
  const inboundHttp = replies.inbound && config.INBOUND_EMAIL_SECRET ? { service: replies.inbound, secret: config.INBOUND_EMAIL_SECRET } : undefined;
  httpServer.on('request', createHttpApp({ alertSettings, allowLoopbackPush: config.WEBHOOK_ALLOW_PRIVATE, store, auth, sessions, attachments, limits, signer, routing, team, apiV1, webhooks, kb, bots: bots.service, emailUnsubscribe: email.unsubscribe, log, publicOrigin, trust, demo: config.DEMO, role: topology.role, metrics: mainPortMetrics, inboundEmail: inboundHttp, continueSessions: new ContinueSessionService(store, email.tokens, signer, sessions) }));

  return {
    httpServer,
    store,
    routing,
    admin,
    webhooks,
    knowledgeBase,
    bots,
    notifier,
    events,
    metrics,
    metricsServer: separateMetrics,
    inboundEmail: replies.inbound,
    inboundSmtpPort: () => smtpPort,
    pushSubscriptions,
    webhookEndpoints,
    siteVisibility,
    jobs: { outbox, worker },
    email: { outbox: email.outbox, tokens: email.tokens },
    firstRun,
    async listen() {
      if (separateMetrics) await listenOn(separateMetrics, config.METRICS_PORT!, METRICS_HOST);
      smtpPort = await replies.listen();
      await listenOn(httpServer, config.PORT, config.HOST);
      const { port } = httpServer.address() as AddressInfo;
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
      listeningOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return ownOrigin();
    },
    async close() {
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      // Stop taking commands, let running ones commit, then drop the connections.
      await Promise.race([inflight.settled(), delay(config.SHUTDOWN_TIMEOUT_MS)]);
      await topology.stop();
      io.disconnectSockets(true);
      httpServer.closeAllConnections();
      await closed;
      if (separateMetrics?.listening) {
        separateMetrics.closeAllConnections();
        await new Promise((resolve) => separateMetrics.close(resolve));
      }
      // Runs in progress finish (or see their abort) before the database they record in closes.
      await worker.stop();
      email.close();
      await replies.close();
      await database.close();
    },
  };
}

const MB = 1024 * 1024;
/** How often unsent attachments past their TTL are looked for; each node does it, deleting is idempotent. */
const UNSENT_SWEEP_INTERVAL_MS = 60_000;

/** The METRICS_PORT server listens on loopback only: scrapers run on the same host or reach it through a tunnel. */
const METRICS_HOST = '127.0.0.1';

const listenOn = (server: HttpServer, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
