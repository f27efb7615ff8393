/** The admin API's bots, mounted at /api/admin/sites/:siteId/bots (server/contract/bots.ts). */
import type { Request, Router } from 'express';
import type { BotService } from '../app/bots.ts';
import { notFound } from '../app/errors.ts';
import { createBot, updateBot } from '../validation/bots.ts';
import { parse } from '../validation/parse.ts';
import type { AdminAuthDeps } from './admin-auth.ts';
import { adminRouter, idParam as param } from './admin-router.ts';
import { route } from './errors.ts';

export interface BotRouteDeps extends AdminAuthDeps {
  bots: BotService;
}

export function botRoutes(deps: BotRouteDeps): Router {
  const { bots } = deps;
  const { router, admin } = adminRouter(deps, '64kb');
  const site = (req: Request) => param(req, 'siteId');
  /** The bot, provided it belongs to the site in the path: another site's answers NOT_FOUND. */
  const ofSite = async (req: Request) => {
    const bot = await bots.get(param(req, 'id'));
    if (bot.siteId !== site(req)) throw notFound('Bot');
    return bot;
  };

  router.get('/', route(async (req, res) => void res.json(await bots.list(site(req)))));
  router.post('/', route(async (req, res) => void res.status(201).json(await bots.create(site(req), parse(createBot, req.body), admin.claims(req).agentId))));
  router.patch('/:id', route(async (req, res) => {
    const bot = await ofSite(req);
    res.json(await bots.update(bot.id, parse(updateBot, req.body)));
  }));
  router.delete('/:id', route(async (req, res) => {
    const bot = await ofSite(req);
    await bots.delete(bot.id);
    res.status(204).end();
  }));
  return router;
}
