/** The admin API's webhooks, mounted at /api/admin/sites/:siteId/webhooks (server/contract/webhooks.ts). */
import type { Request, Router } from 'express';
import type { WebhookService } from '../app/webhooks.ts';
import { parse } from '../validation/parse.ts';
import { createWebhook } from '../validation/webhooks.ts';
import type { AdminAuthDeps } from './admin-auth.ts';
import { adminRouter, idParam as param } from './admin-router.ts';
import { route } from './errors.ts';

export interface WebhookRouteDeps extends AdminAuthDeps {
  webhooks: WebhookService;
}

export function webhookRoutes(deps: WebhookRouteDeps): Router {
  const { webhooks } = deps;
  const { router } = adminRouter(deps, '16kb');
  const site = (req: Request) => param(req, 'siteId');

  router.get('/', route(async (req, res) => void res.json(await webhooks.list(site(req)))));
  router.post('/', route(async (req, res) => void res.status(201).json(await webhooks.create(site(req), parse(createWebhook, req.body)))));
  router.delete('/:id', route(async (req, res) => {
    await webhooks.delete(site(req), param(req, 'id'));
    res.status(204).end();
  }));
  router.post('/:id/rotate-secret', route(async (req, res) => void res.json(await webhooks.rotateSecret(site(req), param(req, 'id')))));
  router.post('/:id/enable', route(async (req, res) => void res.json(await webhooks.enable(site(req), param(req, 'id')))));
  router.post('/:id/test', route(async (req, res) => void res.status(202).json(await webhooks.sendTest(site(req), param(req, 'id')))));
  router.get('/:id/deliveries', route(async (req, res) => void res.json(await webhooks.deliveries(site(req), param(req, 'id')))));
  router.post('/deliveries/:deliveryId/replay', route(async (req, res) => {
    res.status(202).json(await webhooks.replay(site(req), param(req, 'deliveryId')));
  }));
  return router;
}
