/**
 * /api/v1/conversations/{id}/attachments: list, download, and upload (raw body, name in X-File-Name) for a message
 * to send. Thin: parse, call ApiAttachments, answer.
 */
import express, { Router, type Request } from 'express';
import type { ApiAttachments } from '../../app/api-attachments.ts';
import { ATTACHMENT_LIMITS } from '../../app/attachments.ts';
import type { ConversationDTO } from '../../contract/dto.ts';
import { parse } from '../../validation/parse.ts';
import { declaredFileName } from '../attachment-routes.ts';
import { route } from '../errors.ts';
import { sendAttachment } from '../send-attachment.ts';
import { principal } from './auth.ts';
import * as schemas from './schemas.ts';

const conversationId = (req: Request) => parse(schemas.pathId, req.params.id);

export function attachmentRoutes(api: ApiAttachments): Router {
  const router = Router();
  router.get('/:id/attachments', route(async (req, res) => void res.json(await api.list(principal(req), conversationId(req)))));
  router.get('/:id/attachments/:attachmentId', route(async (req, res) => {
    sendAttachment(res, await api.open(principal(req), conversationId(req), parse(schemas.pathId, req.params.attachmentId)));
  }));
  // Whether the key may upload here is settled before a byte of the body is read.
  router.post(
    '/:id/attachments',
    route(async (req, res, next) => {
      res.locals.conversation = await api.admitUpload(principal(req), conversationId(req));
      next();
    }),
    express.raw({ type: () => true, limit: ATTACHMENT_LIMITS.maxBytes }),
    route(async (req, res) => {
      const data = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const conversation = res.locals.conversation as ConversationDTO;
      res.status(201).json(await api.upload(principal(req), conversation, { fileName: declaredFileName(req), data }));
    }),
  );
  return router;
}
