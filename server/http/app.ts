/** The Express application: health, auth, widget API, static assets; every error as typed JSON. */
import express, { type Request } from 'express';
import type { Logger as Pino } from 'pino';
import { isOwnOrigin } from '../auth/origins.ts';
import type { AuthService } from '../app/auth.ts';
import type { Store } from '../app/ports.ts';
import type { VisitorSessionService } from '../app/visitor-sessions.ts';
import type { AttachmentService } from '../app/attachments.ts';
import type { Limits } from '../app/limits.ts';
import type { Routing } from '../app/routing.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import type { TeamService } from '../app/team.ts';
import { adminRoutes } from './admin-routes.ts';
import { attachmentRoutes } from './attachment-routes.ts';
import { authRoutes } from './auth-routes.ts';
import { errorHandler, notFoundHandler, route } from './errors.ts';
import { requestContext } from './request-context.ts';
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
  log: Pino;
  publicOrigin: string | undefined;
  trustProxy: boolean;
  /** Routing role of this node: single, leader or follower. */
  role: () => string;
}

export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use(requestContext(deps.log));
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    // Behind TLS (directly, or a trusted proxy saying so), browsers should never come back over plain http.
    if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });

  const ownOrigin = (req: Request) =>
    isOwnOrigin(req.get('origin'), { host: req.get('host'), secure: req.secure }, deps.publicOrigin);
  const publicUrl = (req: Request) => deps.publicOrigin ?? `${req.protocol}://${req.get('host')}`;

  app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  app.get('/readyz', route(async (_req, res) => {
    try {
      await deps.store.ping();
      res.json({ status: 'ready', role: deps.role() });
    } catch {
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: 'Database unreachable' } });
    }
  }));
  app.use('/api/auth', authRoutes(deps.auth, { isOwnOrigin: ownOrigin, acceptInvite: (token, password) => deps.team.acceptInvite(token, password) }));
  app.use('/api/admin', adminRoutes({ auth: deps.auth, agents: deps.store.agents, team: deps.team, publicUrl }));
  app.use('/api/widget', widgetRoutes(deps.sessions, deps.store.sites, { isOwnOrigin: ownOrigin, limits: deps.limits }));
  app.use('/api/attachments', attachmentRoutes(deps));
  app.use('/api', notFoundHandler);
  app.use(staticRoutes({ sites: deps.store.sites, publicUrl }));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return app;
}
