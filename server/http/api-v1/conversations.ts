/** /api/v1/conversations: list, get, messages and the actions; thin: parse, call ApiConversations, answer. */
import { Router, type Request } from 'express';
import type { ApiConversations } from '../../app/api-conversations.ts';
import { parse } from '../../validation/parse.ts';
import { route } from '../errors.ts';
import { principal } from './auth.ts';
import * as schemas from './schemas.ts';

const conversationId = (req: Request) => parse(schemas.pathId, req.params.id);

export function conversationRoutes(api: ApiConversations): Router {
  const router = Router();
  router.get('/', route(async (req, res) => void res.json(await api.list(principal(req), parse(schemas.conversationListQuery, req.query)))));
  router.get('/:id', route(async (req, res) => void res.json(await api.get(principal(req), conversationId(req)))));
  router.get('/:id/messages', route(async (req, res) => {
    res.json(await api.messages(principal(req), conversationId(req), parse(schemas.messageListQuery, req.query)));
  }));
  router.post('/:id/messages', route(async (req, res) => {
    res.json(await api.send(principal(req), conversationId(req), parse(schemas.postMessage, req.body), false));
  }));
  router.post('/:id/notes', route(async (req, res) => {
    res.json(await api.send(principal(req), conversationId(req), parse(schemas.postNote, req.body), true));
  }));
  router.put('/:id/labels', route(async (req, res) => {
    res.json(await api.setLabels(principal(req), conversationId(req), parse(schemas.labels, req.body).labels));
  }));
  router.post('/:id/assign', route(async (req, res) => {
    res.json(await api.assign(principal(req), conversationId(req), parse(schemas.transfer, req.body).agentId));
  }));
  router.post('/:id/transfer', route(async (req, res) => {
    res.json(await api.transfer(principal(req), conversationId(req), parse(schemas.transfer, req.body).agentId));
  }));
  for (const action of ['claim', 'unassign', 'handoff', 'resolve', 'reopen'] as const) {
    router.post(`/:id/${action}`, route(async (req, res) => {
      parse(schemas.noBody, req.body);
      res.json(await api[action](principal(req), conversationId(req)));
    }));
  }
  return router;
}
