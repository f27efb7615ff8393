/** The start the admin API's routers share: JSON bodies up to a limit, never cached, active admins only. */
import express, { type Request, type RequestHandler, Router } from 'express';
import { id } from '../validation/primitives.ts';
import { parse } from '../validation/parse.ts';
import { requireAdmin, type AdminAuthDeps } from './admin-auth.ts';

/** Answers carry private data: no cache may keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** A path parameter that must be an id; anything else is BAD_REQUEST. */
export const idParam = (req: Request, name: string): string => parse(id, req.params[name]);

/** The router (its parent's params merged, for those mounted under /sites/:siteId) and the guard, whose claims name the acting admin. */
export function adminRouter(deps: AdminAuthDeps, bodyLimit: string) {
  const router = Router({ mergeParams: true });
  const admin = requireAdmin(deps);
  router.use(express.json({ limit: bodyLimit }), noStore, admin.middleware);
  return { router, admin };
}
