/**
 * What the loader on a customer's page calls. CORS is granted per site, to its exact allowed origins only;
 * our own origin (the demo page, the frame) is always allowed.
 */
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { isOriginAllowed } from '../auth/origins.ts';
import { AppError } from '../app/errors.ts';
import type { SiteStore } from '../app/ports.ts';
import type { VisitorSessionService } from '../app/visitor-sessions.ts';
import type { Limits } from '../app/limits.ts';
import { addressKey } from '../domain/address-key.ts';
import { id } from '../validation/primitives.ts';
import { clientIp } from './auth-routes.ts';
import { route } from './errors.ts';

const siteKey = id;
const sessionBody = z.strictObject({ siteKey, token: z.string().max(4096).optional() });

export function widgetRoutes(
  sessions: VisitorSessionService,
  sites: SiteStore,
  deps: { isOwnOrigin: (req: Request) => boolean; limits: Limits },
): Router {
  const router = Router();
  // text/plain is accepted too: the loader sends a "simple" request, which needs no preflight round trip.
  router.use(express.json({ limit: '8kb', type: ['application/json', 'text/plain'] }));

  router.options('/session', route(async (req, res) => {
    const origin = req.get('origin');
    const key = siteKey.safeParse(req.query.site);
    const site = key.success ? await sites.findByKey(key.data) : null;
    if (origin && (deps.isOwnOrigin(req) || (site && isOriginAllowed(origin, site.allowedOrigins)))) {
      allowCors(res, origin);
      res.setHeader('Access-Control-Allow-Methods', 'POST');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
    }
    res.status(204).end();
  }));

  router.post('/session', route(async (req, res) => {
    const parsed = sessionBody.safeParse(req.body);
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'siteKey is required');
    await deps.limits.take('sessionPerIp', addressKey(clientIp(req)));
    const origin = req.get('origin');
    const access = deps.isOwnOrigin(req) ? ({ trusted: true } as const) : { origin };
    const session = await sessions.open(parsed.data.siteKey, access, parsed.data.token);
    if (origin) allowCors(res, origin);
    res.setHeader('Cache-Control', 'no-store');
    res.json(session);
  }));

  router.get('/config', route(async (req, res) => {
    const key = siteKey.safeParse(req.query.site);
    if (!key.success) throw new AppError('BAD_REQUEST', 'site is required');
    const site = await sites.findByKey(key.data);
    if (!site) throw new AppError('NOT_FOUND', 'Unknown site key');
    const origin = req.get('origin');
    if (origin && isOriginAllowed(origin, site.allowedOrigins)) allowCors(res, origin);
    res.setHeader('Cache-Control', 'no-cache');
    res.json(sessions.config(site));
  }));

  return router;
}

function allowCors(res: Response, origin: string) {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
}
