/**
 * The admin REST API (server/contract/admin.ts): Bearer access token of an active admin, every body a
 * strict zod object, every failure an AppError for the shared error handler.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import type { ApiKeyService } from '../app/api-keys.ts';
import type { AuthService } from '../app/auth.ts';
import type { AgentStore } from '../app/ports.ts';
import { isValidDate, MAX_REPORT_DAYS } from '../app/reports.ts';
import type { TeamService } from '../app/team.ts';
import type { CannedResponseRequest } from '../contract/admin.ts';
import { createAgent, createSite, timezone, updateAgent, updateSite } from '../validation/admin.ts';
import { id, storableText } from '../validation/primitives.ts';
import { parse } from '../validation/parse.ts';
import { apiKeyRoutes } from './api-key-routes.ts';
import { adminRouter, idParam as param } from './admin-router.ts';
import { route } from './errors.ts';
import { sendReportCsv } from './report-csv.ts';

const canned = z.strictObject({
  siteId: id.nullable(),
  shortcut: z.string().regex(/^\/?[A-Za-z0-9_-]{1,32}$/, 'must be 1 to 32 letters, digits, - or _'),
  title: storableText().min(1).max(100),
  body: storableText().min(1).max(5000),
}) satisfies z.ZodType<CannedResponseRequest>;

export const reportQuery = z
  .strictObject({
    from: z.string().refine(isValidDate, 'must be a date YYYY-MM-DD'),
    to: z.string().refine(isValidDate, 'must be a date YYYY-MM-DD'),
    groupBy: z.enum(['day', 'agent']).default('day'),
    tz: timezone.default('UTC'),
    siteId: id.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_REPORT_DAYS, {
    message: `at most ${MAX_REPORT_DAYS} days`,
    path: ['to'],
  });

const staffingQuery = z.strictObject({
  tz: timezone.default('UTC'),
  siteId: id.optional(),
  serviceLevel: z.coerce.number().gt(0).lt(100).default(80),
  seconds: z.coerce.number().int().min(1).max(3600).default(30),
});

export interface AdminRouteDeps {
  auth: Pick<AuthService, 'authenticate'>;
  agents: AgentStore;
  team: TeamService;
  apiKeys: ApiKeyService;
  publicUrl: (req: Request) => string;
}

export function adminRoutes(deps: AdminRouteDeps): Router {
  const { team, publicUrl } = deps;
  const { router, admin } = adminRouter(deps, '64kb');
  const actor = (req: Request) => admin.claims(req).agentId;
  router.use('/api-keys', apiKeyRoutes(deps.apiKeys, actor));

  router.get('/sites', route(async (req, res) => void res.json(await team.listSites(publicUrl(req)))));
  router.get('/sites/:id', route(async (req, res) => void res.json(await team.getSite(param(req, 'id'), publicUrl(req)))));
  router.post('/sites', route(async (req, res) => {
    res.status(201).json(await team.createSite(parse(createSite, req.body), publicUrl(req)));
  }));
  router.patch('/sites/:id', route(async (req, res) => {
    res.json(await team.updateSite(param(req, 'id'), parse(updateSite, req.body), publicUrl(req)));
  }));
  router.post('/sites/:id/rotate-secret', route(async (req, res) => {
    res.json(await team.rotateSecret(param(req, 'id'), publicUrl(req)));
  }));
  router.post('/sites/:id/rotate-visitor-key', route(async (req, res) => {
    res.json(await team.rotateVisitorKey(param(req, 'id'), publicUrl(req)));
  }));

  router.get('/agents', route(async (_req, res) => void res.json(await team.listAgents())));
  router.post('/agents', route(async (req, res) => {
    res.status(201).json(await team.createAgent(parse(createAgent, req.body), publicUrl(req)));
  }));
  router.patch('/agents/:id', route(async (req, res) => {
    res.json(await team.updateAgent(actor(req), param(req, 'id'), parse(updateAgent, req.body)));
  }));
  router.post('/agents/:id/invite', route(async (req, res) => {
    res.json(await team.reinvite(param(req, 'id'), publicUrl(req)));
  }));

  router.get('/canned', route(async (_req, res) => void res.json(await team.listCanned())));
  router.post('/canned', route(async (req, res) => void res.status(201).json(await team.createCanned(parse(canned, req.body)))));
  router.patch('/canned/:id', route(async (req, res) => void res.json(await team.updateCanned(param(req, 'id'), parse(canned, req.body)))));
  router.delete('/canned/:id', route(async (req, res) => {
    await team.deleteCanned(param(req, 'id'));
    res.status(204).end();
  }));

  router.get('/reports', route(async (req, res) => {
    const q = parse(reportQuery, req.query);
    const report = await team.report({ from: q.from, to: q.to, groupBy: q.groupBy, timezone: q.tz, ...(q.siteId ? { siteId: q.siteId } : {}) });
    if (q.format === 'csv') await sendReportCsv(res, report);
    else res.json(report);
  }));

  router.get('/reports/staffing', route(async (req, res) => {
    const q = parse(staffingQuery, req.query);
    res.json(await team.staffing({ timezone: q.tz, serviceLevel: q.serviceLevel, seconds: q.seconds, ...(q.siteId ? { siteId: q.siteId } : {}) }));
  }));

  return router;
}
