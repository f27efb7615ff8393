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
import { apiV1Routes, type ApiV1Deps } from './api-v1/index.ts';
import { webhookRoutes } from './webhook-routes.ts';
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
  /** GET /metrics on this port (METRICS_TOKEN without METRICS_PORT); absent, /metrics is not found. */
  metrics?: RequestHandler;
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
  app.use('/api/auth', authRoutes(deps.auth, { isOwnOrigin: ownOrigin, overHttps, acceptInvite: (token, password) => deps.team.acceptInvite(token, password) }));
  app.use('/api/admin/sites/:siteId/webhooks', webhookRoutes({ auth: deps.auth, agents: deps.store.agents, webhooks: deps.webhooks }));
  app.use('/api/admin/sites/:siteId/bots', botRoutes({ auth: deps.auth, agents: deps.store.agents, bots: deps.bots }));
  app.use('/api/admin', adminRoutes({ auth: deps.auth, agents: deps.store.agents, team: deps.team, apiKeys: deps.apiV1.apiKeys, publicUrl }));
  app.use('/api/widget', widgetRoutes(deps.sessions, deps.store.sites, { isOwnOrigin: ownOrigin, limits: deps.limits }));
  app.use('/api/attachments', attachmentRoutes(deps));
  app.use('/api/v1', apiV1Routes({ ...deps.apiV1, publicUrl }));
  app.use('/api', notFoundHandler);
  app.use(staticRoutes({ sites: deps.store.sites, publicUrl, demo: deps.demo }));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
