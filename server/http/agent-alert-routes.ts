/**
 * /api/agent: a signed-in agent's own alert setup (contract: server/contract/alerts.ts).
 *   GET    /push                          the VAPID public key and my subscriptions
 *   POST   /push-subscriptions            this browser's PushSubscription (201)
 *   DELETE /push-subscriptions?endpoint=  forget it (204)
 *   GET    /alert-preferences, PUT /alert-preferences
 */
import express, { Router } from 'express';
import type { AlertSettings } from '../app/alert-settings.ts';
import { alertPreferencesSchema, completePreferences, pushEndpointQuery, pushSubscriptionSchema } from '../validation/alerts.ts';
import { parse } from '../validation/parse.ts';
import { requireAgent, type AdminAuthDeps } from './admin-auth.ts';
import { route } from './errors.ts';

export function agentAlertRoutes(deps: AdminAuthDeps & { settings: AlertSettings; allowLoopbackHttp: boolean }): Router {
  const router = Router();
  const { middleware, claims } = requireAgent(deps, { adminOnly: false });
  const subscription = pushSubscriptionSchema(deps.allowLoopbackHttp);
  router.use(middleware);
  router.use(express.json({ limit: '8kb' }));
  router.get('/push', route(async (req, res) => void res.json(await deps.settings.setup(claims(req).agentId))));
  router.post('/push-subscriptions', route(async (req, res) => {
    void res.status(201).json(await deps.settings.subscribe(claims(req).agentId, parse(subscription, req.body)));
  }));
  router.delete('/push-subscriptions', route(async (req, res) => {
    await deps.settings.unsubscribe(claims(req).agentId, parse(pushEndpointQuery, req.query).endpoint);
    res.status(204).end();
  }));
  router.get('/alert-preferences', route(async (req, res) => void res.json(await deps.settings.preferences(claims(req).agentId))));
  router.put('/alert-preferences', route(async (req, res) => {
    void res.json(await deps.settings.savePreferences(claims(req).agentId, completePreferences(parse(alertPreferencesSchema, req.body))));
  }));
  return router;
}
