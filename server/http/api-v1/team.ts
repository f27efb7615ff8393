/** /api/v1/sites and /api/v1/agents: read and manage them with an admin key; thin: parse, call ApiTeam, answer. */
import { Router, type Request } from 'express';
import type { ApiTeam } from '../../app/api-team.ts';
import * as admin from '../../validation/admin.ts';
import { parse } from '../../validation/parse.ts';
import { route } from '../errors.ts';
import { principal } from './auth.ts';
import * as schemas from './schemas.ts';

export function teamRoutes(api: ApiTeam, publicUrl: (req: Request) => string): Router {
  const router = Router();
  const id = (req: Request) => parse(schemas.pathId, req.params.id);

  router.get('/sites', route(async (req, res) => void res.json(await api.sites(principal(req), publicUrl(req)))));
  router.post('/sites', route(async (req, res) => {
    res.status(201).json(await api.createSite(principal(req), parse(admin.createSite, req.body), publicUrl(req)));
  }));
  router.get('/sites/:id', route(async (req, res) => void res.json(await api.site(principal(req), id(req), publicUrl(req)))));
  router.patch('/sites/:id', route(async (req, res) => {
    res.json(await api.updateSite(principal(req), id(req), parse(admin.updateSite, req.body), publicUrl(req)));
  }));
  const rotations = { 'rotate-secret': 'rotateSecret', 'rotate-visitor-key': 'rotateVisitorKey' } as const;
  for (const [path, action] of Object.entries(rotations)) {
    router.post(`/sites/:id/${path}`, route(async (req, res) => {
      parse(schemas.noBody, req.body);
      res.json(await api[action](principal(req), id(req), publicUrl(req)));
    }));
  }

  router.get('/agents', route(async (req, res) => void res.json(await api.agents(principal(req)))));
  router.post('/agents', route(async (req, res) => {
    res.status(201).json(await api.createAgent(principal(req), parse(admin.createAgent, req.body), publicUrl(req)));
  }));
  router.patch('/agents/:id', route(async (req, res) => {
    res.json(await api.updateAgent(principal(req), id(req), parse(admin.updateAgent, req.body)));
  }));
  router.post('/agents/:id/invite', route(async (req, res) => {
    parse(schemas.noBody, req.body);
    res.json(await api.reinvite(principal(req), id(req), publicUrl(req)));
  }));
  return router;
}
