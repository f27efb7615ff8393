/** The Express application: health, auth, widget API, static assets; every error as typed JSON. */
import express, { type Request, type RequestHandler } from 'express';
import type { Logger as Pino } from 'pino';
import type { Trust } from '../auth/client-address.ts';
import { isOwnOrigin, parseAllowedOrigin } from '../auth/origins.ts';
import { AppError } from '../app/errors.ts';
import type { AuthService } from '../app/auth.ts';
import type { Store } from '../app/ports.ts';
import type { VisitorSessionService } from '../app/visitor-sessions.ts';
import type { AttachmentService } from '../app/attachments.ts';
import type { Limits } from '../app/limits.ts';
import type { Routing } from '../app/routing-port.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import type { TeamService } from '../app/team.ts';
import type { WebhookService } from '../app/webhooks.ts';
import { adminRoutes } from './admin-routes.ts';
import type { AlertSettings } from '../app/alert-settings.ts';
import { agentAlertRoutes } from './agent-alert-routes.ts';
import { apiV1Routes, type ApiV1Deps } from './api-v1/index.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { kbPageRoutes } from './kb-page.ts';
import { kbAdminRoutes, kbAgentRoutes, kbWidgetRoutes } from './kb-routes.ts';
import type { KnowledgeBase } from '../app/knowledge-base/articles.ts';
import type { KnowledgeBaseEvaluation } from '../app/knowledge-base/evaluation.ts';
import type { InboundEmailService } from '../app/inbound-email.ts';
import { inboundEmailRoutes } from './inbound-email-routes.ts';
import type { ContinueSessionService } from '../app/continue-sessions.ts';
import { continueRoutes } from './continue-routes.ts';
import { emailRoutes } from './email-routes.ts';
import type { EmailUnsubscribe } from '../app/email-unsubscribe.ts';
import { botRoutes } from './bot-routes.ts';
import type { BotService } from '../app/bots.ts';
import { attachmentRoutes } from './attachment-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { compressJson } from './compress-json.ts';
import { errorHandler, notFoundHandler, route } from './errors.ts';
import { requestContext } from './request-context.ts';
import { slowBodyCutoff } from './slow-body.ts';
import { staticRoutes } from './static.ts';
import { widgetRoutes } from './widget-routes.ts';

export interface HttpDeps {
  store: Store;
  auth: AuthService;
  sessions: VisitorSessionService;
  attachments: AttachmentService;
  limits: Limits;
  signer: TokenSigner;
  routing: Routing;
  /** The admin screens' use cases, behind /api/admin. */
  team: TeamService;
  /** The REST API v1; its API keys are managed under /api/admin. */
  apiV1: Omit<ApiV1Deps, 'publicUrl'>;
  /** Webhook endpoints and their delivery log, behind /api/admin/sites/:id/webhooks. */
  webhooks: WebhookService;
  /** Articles and the evaluation set, behind /api/admin/sites/:id/kb, /api/kb, /api/widget/articles and /kb. */
  kb: { articles: KnowledgeBase; evaluation: KnowledgeBaseEvaluation };
  /** The unsubscribe link of visitor email, behind /api/email. */
  emailUnsubscribe: EmailUnsubscribe;
  /** Bots, behind /api/admin/sites/:id/bots. */
  bots: BotService;
  log: Pino;
  publicOrigin: string | undefined;
  /** TRUST_PROXY, compiled: the same function the socket handshake uses. */
  trust: Trust;
  /** Routing role of this node: single, leader or follower. */
  role: () => string;
  /** DEMO: serve the demo page at `/`. */
  demo: boolean;
  /** An agent's push subscriptions and alert preferences, behind /api/agent. */
  alertSettings: AlertSettings;
  /** WEBHOOK_ALLOW_PRIVATE: push subscriptions may also be http to a loopback address (tests). */
  allowLoopbackPush: boolean;
  /** GET /metrics on this port (METRICS_TOKEN without METRICS_PORT); absent, /metrics is not found. */
  metrics?: RequestHandler;
  /** POST /api/inbound/email; absent without MAIL_REPLY_DOMAIN and INBOUND_EMAIL_SECRET. */
  inboundEmail?: { service: InboundEmailService; secret: string };
  /** GET /c/<token> and POST /api/continue ("continue anywhere" links in emails). */
  continueSessions: ContinueSessionService;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trust);
  // Served over https (PUBLIC_URL says so, or the request came over TLS): a proxy that forgets to say so, or a
  // client reaching a node directly, must not get a refresh cookie that could travel in clear, nor miss HSTS.
  const httpsOnly = deps.publicOrigin?.startsWith('https:') === true;
  const overHttps = (req: Request) => httpsOnly || req.secure;
  app.use(requestContext(deps.log));
  app.use(slowBodyCutoff(deps.log));
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    // Browsers should never come back over plain http.
    if (overHttps(req)) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });

  // req.host honours X-Forwarded-Host from a trusted proxy only, as the socket handshake does.
  const ownOrigin = (req: Request) => isOwnOrigin(req.get('origin'), { host: req.host, secure: req.secure }, deps.publicOrigin);
  // The Host header is the client's: only a real host and port may reach the snippets in the demo page and the admin API.
  const publicUrl = (req: Request) => {
    const url = deps.publicOrigin ?? parseAllowedOrigin(`${req.protocol}://${req.host}`);
    if (!url) throw new AppError('BAD_REQUEST', 'The Host header is not a host name and port');
    return url;
  };

  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/readyz', route(async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ status: 'ready', role: deps.role() });
    } catch {
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: 'Database unreachable' } });
    }
  }));
  if (deps.metrics) app.get('/metrics', deps.metrics);
  app.use('/api', compressJson());
  app.use(continueRoutes(deps.continueSessions, { limits: deps.limits }));
  app.use('/api/auth', authRoutes(deps.auth, { isOwnOrigin: ownOrigin, overHttps, acceptInvite: (token, password) => deps.team.acceptInvite(token, password) }));
  app.use('/api/admin/sites/:siteId/webhooks', webhookRoutes({ auth: deps.auth, agents: deps.store.agents, webhooks: deps.webhooks }));
  app.use('/api/admin/sites/:siteId/kb', kbAdminRoutes({ auth: deps.auth, agents: deps.store.agents, kb: deps.kb.articles, evaluation: deps.kb.evaluation }));
  app.use('/api/kb', kbAgentRoutes({ auth: deps.auth, agents: deps.store.agents, kb: deps.kb.articles, limits: deps.limits }));
  app.use('/api/widget', kbWidgetRoutes({ signer: deps.signer, sites: deps.store.sites, kb: deps.kb.articles, limits: deps.limits }));
  app.use('/api/admin/sites/:siteId/bots', botRoutes({ auth: deps.auth, agents: deps.store.agents, bots: deps.bots }));
  app.use('/api/admin', adminRoutes({ auth: deps.auth, agents: deps.store.agents, team: deps.team, apiKeys: deps.apiV1.apiKeys, publicUrl }));
  app.use('/api/agent', agentAlertRoutes({ auth: deps.auth, agents: deps.store.agents, settings: deps.alertSettings, allowLoopbackHttp: deps.allowLoopbackPush }));
  app.use('/api/widget', widgetRoutes(deps.sessions, deps.store.sites, { isOwnOrigin: ownOrigin, limits: deps.limits }));
  app.use('/api/attachments', attachmentRoutes(deps));
  app.use('/api/email', emailRoutes(deps.emailUnsubscribe));
  app.use('/api/v1', apiV1Routes({ ...deps.apiV1, publicUrl }));
  if (deps.inboundEmail) app.use('/api/inbound', inboundEmailRoutes(deps.inboundEmail.service, deps.inboundEmail.secret));
  app.use('/api', notFoundHandler);
  app.use(kbPageRoutes(deps.kb.articles));
  app.use(staticRoutes({ sites: deps.store.sites, publicUrl, demo: deps.demo }));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
