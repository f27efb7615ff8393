/**
 * The REST API v1 (/api/v1): API-key auth with per-key rate limits, bounded JSON bodies, one resource per file.
 * Every error is the shared `{ error: { code, message } }` of server/http/errors.ts.
 */
import express, { type Request, Router } from 'express';
import type { ApiAttachments } from '../../app/api-attachments.ts';
import type { ApiConversations } from '../../app/api-conversations.ts';
import type { ApiDirectory } from '../../app/api-directory.ts';
import type { ApiKeyService } from '../../app/api-keys.ts';
import type { ApiTeam } from '../../app/api-team.ts';
import type { Limits } from '../../app/limits.ts';
import { attachmentRoutes } from './attachments.ts';
import { apiKeyAuth } from './auth.ts';
import { limitBodyDepth } from './body-depth.ts';
import { conversationRoutes } from './conversations.ts';
import { directoryRoutes } from './directory.ts';
import { docsRoutes } from './docs.ts';
import { teamRoutes } from './team.ts';

export interface ApiV1Deps {
  apiKeys: ApiKeyService;
  limits: Limits;
  conversations: ApiConversations;
  attachments: ApiAttachments;
  directory: ApiDirectory;
  team: ApiTeam;
  /** The origin snippets are written for, as the admin API answers sites. */
  publicUrl: (req: Request) => string;
}

export function apiV1Routes(deps: ApiV1Deps): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // The document and its docs page are public: they describe the API, they reach no data.
  router.use(docsRoutes());
  router.use(apiKeyAuth(deps.apiKeys, deps.limits));
  // Files have a body of their own, read only after the upload is admitted: before the JSON parser.
  router.use('/conversations', attachmentRoutes(deps.attachments));
  router.use(express.json({ limit: '64kb' }), limitBodyDepth);
  router.use('/conversations', conversationRoutes(deps.conversations));
  router.use(directoryRoutes(deps.directory));
  router.use(teamRoutes(deps.team, deps.publicUrl));
  return router;
}
