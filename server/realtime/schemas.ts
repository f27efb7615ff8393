/**
 * Validation of every inbound payload. Objects are strict (unknown keys are an error), ids and strings
 * are bounded, so nothing unexpected reaches a use case or a query.
 */
import { z } from 'zod';
import {
  HISTORY_PAGE_MAX,
  MAX_MESSAGE_LENGTH,
  type AgentSendRequest,
  type ConversationRef,
  type HistoryRequest,
  type ListConversationsRequest,
  type TransferRequest,
  type TypingRequest,
  type VisitorSendRequest,
} from '../contract/events.ts';

const id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an id');
const clientId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'must be a client id');
const body = z
  .string()
  .max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`)
  .refine((s) => s.trim().length > 0, 'must not be empty');
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const empty = z.strictObject({}).or(z.undefined()).transform(() => ({}) as Record<string, never>);

export const visitorSend = z.strictObject({
  conversationId: id.optional(),
  clientId,
  body,
}) satisfies z.ZodType<VisitorSendRequest>;

export const historyRequest = z.strictObject({
  conversationId: id,
  afterSeq: seq.optional(),
  beforeSeq: seq.optional(),
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
}) satisfies z.ZodType<HistoryRequest>;

export const typingRequest = z.strictObject({ conversationId: id, typing: z.boolean() }) satisfies z.ZodType<TypingRequest>;

export const listRequest = z.strictObject({
  view: z.enum(['queue', 'mine', 'all', 'resolved']),
  limit: z.number().int().min(1).max(200).optional(),
}) satisfies z.ZodType<ListConversationsRequest>;

export const conversationRef = z.strictObject({ conversationId: id }) satisfies z.ZodType<ConversationRef>;

export const agentSend = z.strictObject({
  conversationId: id,
  clientId,
  body,
  note: z.boolean().optional(),
}) satisfies z.ZodType<AgentSendRequest>;

export const transferRequest = z.strictObject({ conversationId: id, agentId: id }) satisfies z.ZodType<TransferRequest>;

export const statusRequest = z.strictObject({ status: z.enum(['online', 'away']) });
