/** /api/admin/api-keys: create (the key answered once), list, revoke. Behind the admin routes' admin check. */
import { Router, type Request } from 'express';
import type { ApiKeyService } from '../app/api-keys.ts';
import { createApiKey } from '../validation/api-keys.ts';
import { id } from '../validation/primitives.ts';
import { parse } from '../validation/parse.ts';
import { route } from './errors.ts';

export function apiKeyRoutes(apiKeys: ApiKeyService, actor: (req: Request) => string): Router {
  const router = Router();
  router.get('/', route(async (_req, res) => void res.json(await apiKeys.list())));
  router.post('/', route(async (req, res) => void res.status(201).json(await apiKeys.create(parse(createApiKey, req.body), actor(req)))));
  router.delete('/:id', route(async (req, res) => void res.json(await apiKeys.revoke(parse(id, req.params.id)))));
  return router;
}
