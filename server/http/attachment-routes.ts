/**
 * Uploads (raw body, Bearer visitor or agent token) and signed downloads. Files are always served as
 * attachments with nosniff and a sandbox CSP, so even a crafted file cannot run in our origin.
 */
import express, { type Request, Router } from 'express';
import type { TokenSigner } from '../auth/tokens.ts';
import { ATTACHMENT_LIMITS, type AttachmentService, type Uploader } from '../app/attachments.ts';
import { AppError } from '../app/errors.ts';
import type { Limits } from '../app/limits.ts';
import type { Store } from '../app/ports.ts';
import type { Routing } from '../app/routing-port.ts';
import { servesSite } from '../app/access.ts';
import { addressKey } from '../domain/address-key.ts';
import { clientIp } from './auth-routes.ts';
import { route } from './errors.ts';
import { sendAttachment } from './send-attachment.ts';

/** The file name an upload declares (X-File-Name, percent-encoded); the console's and API v1's uploads read it alike. */
export function declaredFileName(req: Request): string {
  try {
    return decodeURIComponent(req.get('x-file-name') ?? 'file');
  } catch {
    return 'file';
  }
}

export function attachmentRoutes(deps: {
  attachments: AttachmentService;
  signer: TokenSigner;
  store: Store;
  routing: Routing;
  limits: Limits;
}): Router {
  const router = Router();

  // Who uploads, and whether they may, is settled before the body is read.
  router.post(
    '/',
    route(async (req, res, next) => {
      const uploader = await authenticate(req, deps, req.get('x-conversation-id') || null);
      await deps.limits.take('upload', uploader.kind === 'visitor' ? uploader.visitorId : uploader.agentId);
      // Over quota by its declared length: refused before a byte of the body is read (the real length counts after).
      await deps.attachments.admit(uploader, Number(req.get('content-length')) || 0);
      res.locals.uploader = uploader;
      next();
    }),
    express.raw({ type: () => true, limit: ATTACHMENT_LIMITS.maxBytes }),
    route(async (req, res) => {
      const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const file = { fileName: declaredFileName(req), data, conversationId: req.get('x-conversation-id') || null };
      res.status(201).json(await deps.attachments.upload(res.locals.uploader as Uploader, file));
    }),
  );

  router.get('/:id', route(async (req, res) => {
    const { exp, sig } = req.query;
    const file = await deps.attachments.open(String(req.params.id), String(exp ?? ''), String(sig ?? ''));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    sendAttachment(res, file);
  }));

  return router;
}

/** A visitor uploads into their own conversation; an agent into one of their sites' conversations. */
async function authenticate(
  req: Request,
  deps: { signer: TokenSigner; store: Store; routing: Routing },
  conversationId: string | null,
): Promise<Uploader> {
  const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  if (!token) throw new AppError('UNAUTHORIZED', 'A bearer token is required');
  const conversation = conversationId ? await deps.store.conversations.findById(conversationId) : null;
  if (conversationId && !conversation) throw new AppError('NOT_FOUND', 'Conversation not found');
  const asVisitor = tryClaims(() => deps.signer.verifyVisitor(token));
  if (asVisitor) {
    if (conversation && conversation.visitorId !== asVisitor.visitorId) throw new AppError('NOT_FOUND', 'Conversation not found');
    return { kind: 'visitor', visitorId: asVisitor.visitorId, siteId: asVisitor.siteId, address: addressKey(clientIp(req)) };
  }
  const claims = deps.signer.verifyAgent(token);
  const agent = deps.routing.agent(claims.agentId);
  if (!agent?.active) throw new AppError('UNAUTHORIZED', 'Agent account is not active');
  if (!conversation || !servesSite(agent, conversation.siteId)) throw new AppError('NOT_FOUND', 'Conversation not found');
  return { kind: 'agent', agentId: agent.id, siteId: conversation.siteId };
}

function tryClaims<T>(verify: () => T): T | null {
  try {
    return verify();
  } catch {
    return null;
  }
}
