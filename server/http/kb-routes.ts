/**
 * The knowledge base over HTTP (server/contract/knowledge-base.ts):
 * - admins, at /api/admin/sites/:siteId/kb: articles (CRUD) and the evaluation set (list, add, delete, run);
 * - agents, at /api/kb/suggest?siteId=&q=: the composer's `/kb` (sites the agent serves only);
 * - visitors, at /api/widget/articles?q=: suggestions while typing, with the visitor token, rate limited.
 */
import { type Request, Router } from 'express';
import type { AuthService } from '../app/auth.ts';
import { servesSite } from '../app/access.ts';
import { AppError, notFound } from '../app/errors.ts';
import type { KnowledgeBase } from '../app/knowledge-base/articles.ts';
import type { KnowledgeBaseEvaluation } from '../app/knowledge-base/evaluation.ts';
import type { Limits } from '../app/limits.ts';
import type { AgentStore, SiteStore } from '../app/ports.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { articleRequest, evalQuestionRequest, searchQuery } from '../validation/knowledge-base.ts';
import { id } from '../validation/primitives.ts';
import { parse } from '../validation/parse.ts';
import type { AdminAuthDeps } from './admin-auth.ts';
import { adminRouter, idParam as param, noStore } from './admin-router.ts';
import { route } from './errors.ts';

const bearer = (req: Request): string => {
  const match = /^Bearer ([^\s]+)$/i.exec(req.get('authorization') ?? '');
  if (!match) throw new AppError('UNAUTHORIZED', 'Bearer token required');
  return match[1]!;
};

export interface KbRouteDeps extends AdminAuthDeps {
  kb: KnowledgeBase;
  evaluation: KnowledgeBaseEvaluation;
}

export function kbAdminRoutes(deps: KbRouteDeps): Router {
  const { kb, evaluation } = deps;
  // An article body is at most 100 000 characters: up to 400 KB of UTF-8, plus JSON escapes.
  const { router } = adminRouter(deps, '512kb');
  const site = (req: Request) => param(req, 'siteId');

  router.get('/articles', route(async (req, res) => void res.json(await kb.list(site(req)))));
  router.post('/articles', route(async (req, res) => void res.status(201).json(await kb.create(site(req), parse(articleRequest, req.body)))));
  router.get('/articles/:id', route(async (req, res) => void res.json(await kb.get(site(req), param(req, 'id')))));
  router.patch('/articles/:id', route(async (req, res) => {
    res.json(await kb.update(site(req), param(req, 'id'), parse(articleRequest, req.body)));
  }));
  router.delete('/articles/:id', route(async (req, res) => {
    await kb.delete(site(req), param(req, 'id'));
    res.status(204).end();
  }));
  router.get('/search', route(async (req, res) => {
    const { q, limit } = parse(searchQuery, req.query);
    res.json(await kb.search(site(req), q, limit));
  }));

  router.get('/eval', route(async (req, res) => void res.json(await evaluation.list(site(req)))));
  router.post('/eval', route(async (req, res) => void res.status(201).json(await evaluation.add(site(req), parse(evalQuestionRequest, req.body)))));
  router.delete('/eval/:id', route(async (req, res) => {
    await evaluation.delete(site(req), param(req, 'id'));
    res.status(204).end();
  }));
  router.post('/eval/run', route(async (req, res) => void res.json(await evaluation.run(site(req)))));
  return router;
}

export function kbAgentRoutes(deps: { auth: Pick<AuthService, 'authenticate'>; agents: AgentStore; kb: KnowledgeBase; limits: Limits }): Router {
  const router = Router();
  router.use(noStore);
  router.get('/suggest', route(async (req, res) => {
    const claims = await deps.auth.authenticate(bearer(req));
    const agent = await deps.agents.findById(claims.agentId);
    if (!agent || !agent.active) throw new AppError('UNAUTHORIZED', 'Agent account is not active');
    await deps.limits.take('agentCommand', agent.id);
    const siteId = parse(id, req.query.siteId);
    const { q, limit } = parse(searchQuery, { q: req.query.q, limit: req.query.limit });
    if (!servesSite(agent, siteId)) throw notFound('Site');
    res.json(await deps.kb.suggest(siteId, q, limit));
  }));
  return router;
}

export function kbWidgetRoutes(deps: { signer: TokenSigner; sites: SiteStore; kb: KnowledgeBase; limits: Limits }): Router {
  const router = Router();
  router.use(noStore);
  router.get('/articles', route(async (req, res) => {
    const claims = deps.signer.verifyVisitor(bearer(req));
    const site = await deps.sites.findById(claims.siteId);
    if (!site || site.visitorKeyVersion !== claims.keyVersion) throw new AppError('UNAUTHORIZED', 'Visitor session has ended');
    await deps.limits.take('articleSearch', claims.visitorId);
    const { q, limit } = parse(searchQuery, { q: req.query.q, limit: req.query.limit });
    res.json(await deps.kb.suggest(site.id, q, limit));
  }));
  return router;
}
