/** API v1 request schemas: strict, built from the sockets' own pieces so both edges accept the same things. */
import { z } from 'zod';
import { attachmentIds, body, clientId, empty, hasContent, labelsRequest, notEmpty, seq, transferRequest, visitorUpdate } from '../../realtime/schemas.ts';
import { HISTORY_PAGE_MAX } from '../../contract/events.ts';
import { id } from '../../validation/primitives.ts';

export const CONVERSATION_PAGE_MAX = 100;

export const conversationListQuery = z.strictObject({
  siteId: id.optional(),
  status: z.enum(['queued', 'active', 'resolved']).optional(),
  assigneeId: id.optional(),
  label: z.string().trim().min(1).max(32).optional(),
  updatedSince: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(CONVERSATION_PAGE_MAX).default(50),
});

export const messageListQuery = z.strictObject({
  afterSeq: z.coerce.number().pipe(seq).optional(),
  limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
});

export const postMessage = z.strictObject({ clientId, body, attachmentIds }).refine(hasContent, notEmpty);
export const postNote = z.strictObject({ clientId, body }).refine(hasContent, notEmpty);
/** `{ agentId }`: whom a transfer or an assignment goes to. */
export const transfer = transferRequest.omit({ conversationId: true });
export const labels = labelsRequest.omit({ conversationId: true });
export const noBody = empty;
export const pathId = id;
export const visitorAttributes = z.strictObject({ attributes: visitorUpdate.shape.attributes.unwrap() });
