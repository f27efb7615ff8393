/**
 * Validation of every inbound payload. Objects are strict (unknown keys are an error), ids and strings
 * are bounded, so nothing unexpected reaches a use case or a query.
 */
import { z } from 'zod';
import {
  HISTORY_PAGE_MAX,
  MAX_ATTACHMENTS_PER_MESSAGE,
  MAX_MESSAGE_LENGTH,
  MAX_VISITOR_ATTRIBUTES,
  type IdentifyRequest,
  type LabelsRequest,
  type RateRequest,
  type ReadRequest,
  type SearchRequest,
  type VisitorUpdateRequest,
  type AgentSendRequest,
  type ConversationRef,
  type HistoryRequest,
  type ListConversationsRequest,
  type TransferRequest,
  type TypingRequest,
  type VisitorSendRequest,
} from '../contract/events.ts';
import { id, oneLine, storableText, text } from '../validation/primitives.ts';

const personName = storableText().trim().max(100).regex(...oneLine);

export const clientId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]+$/, 'must be a client id');
export const body = storableText().max(MAX_MESSAGE_LENGTH, `must be at most ${MAX_MESSAGE_LENGTH} characters`);
export const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const attachmentIds = z.array(id).max(MAX_ATTACHMENTS_PER_MESSAGE).optional();
/** A message needs words, files, or both. */
export const hasContent = (m: { body: string; attachmentIds?: string[] | undefined }) => m.body.trim().length > 0 || (m.attachmentIds?.length ?? 0) > 0;
export const notEmpty = { message: 'body must not be empty', path: ['body'] };
const webUrl = z.url({ protocol: /^https?$/ }).max(2048).and(storableText());

export const empty = z.strictObject({}).or(z.undefined()).transform(() => ({}) as Record<string, never>);

export const visitorSend = z
  .strictObject({ conversationId: id.optional(), newConversation: z.boolean().optional(), clientId, body, attachmentIds })
  .refine(hasContent, notEmpty) satisfies z.ZodType<VisitorSendRequest>;

export const historyRequest = z.strictObject({
  conversationId: id,
  afterSeq: seq.optional(),
  beforeSeq: seq.optional(),
  limit: z.number().int().min(1).max(HISTORY_PAGE_MAX).optional(),
}) satisfies z.ZodType<HistoryRequest>;

export const typingRequest = z.strictObject({
  conversationId: id,
  typing: z.boolean(),
  preview: body.optional(),
}) satisfies z.ZodType<TypingRequest>;

export const readRequest = z.strictObject({ conversationId: id, seq: seq.min(1) }) satisfies z.ZodType<ReadRequest>;

export const rateRequest = z.strictObject({
  conversationId: id,
  rating: z.number().int().min(1).max(5),
  comment: text(1000).optional(),
}) satisfies z.ZodType<RateRequest>;

const attributeValue = z.union([storableText().max(1000), z.number().finite(), z.boolean(), z.null()]);

export const visitorUpdate = z.strictObject({
  name: personName.optional(),
  email: z.email().max(254).optional(),
  attributes: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'attribute names are letters, digits, _ . -'), attributeValue)
    .refine((a) => Object.keys(a).length <= MAX_VISITOR_ATTRIBUTES, `at most ${MAX_VISITOR_ATTRIBUTES} attributes`)
    .optional(),
  context: z
    .strictObject({
      locale: text(35).optional(),
      timezone: text(64).optional(),
      userAgent: text(512).optional(),
      referrer: webUrl.optional(),
      pageUrl: webUrl.optional(),
      pageTitle: text(300).optional(),
    })
    .optional(),
}) satisfies z.ZodType<VisitorUpdateRequest>;

const hmacHex = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a hex HMAC-SHA256');

export const identifyRequest = z.strictObject({
  userId: storableText().min(1).max(256).regex(...oneLine),
  name: personName.optional(),
  email: z.email().max(254).optional(),
  hash: hmacHex.optional(),
  profileHash: hmacHex.optional(),
}) satisfies z.ZodType<IdentifyRequest>;

export const searchRequest = z.strictObject({
  query: text(200).min(1),
  limit: z.number().int().min(1).max(200).optional(),
}) satisfies z.ZodType<SearchRequest>;

export const labelsRequest = z.strictObject({
  conversationId: id,
  labels: z.array(z.string().trim().min(1).max(32).regex(/^[\p{L}\p{N} _.-]+$/u, 'labels are letters, digits, space _ . -')).max(20),
}) satisfies z.ZodType<LabelsRequest>;

export const cannedRequest = z.strictObject({ siteId: id.optional() });

export const listRequest = z.strictObject({
  view: z.enum(['queue', 'mine', 'all', 'resolved']),
  limit: z.number().int().min(1).max(200).optional(),
}) satisfies z.ZodType<ListConversationsRequest>;

export const inboundEmailRef = z.strictObject({ inboundEmailId: id });
export const conversationRef = z.strictObject({ conversationId: id }) satisfies z.ZodType<ConversationRef>;

export const agentSend = z
  .strictObject({ conversationId: id, clientId, body, note: z.boolean().optional(), attachmentIds })
  .refine(hasContent, notEmpty) satisfies z.ZodType<AgentSendRequest>;

export const transferRequest = z.strictObject({ conversationId: id, agentId: id }) satisfies z.ZodType<TransferRequest>;

export const statusRequest = z.strictObject({ status: z.enum(['online', 'away']) });

export const visibleRequest = z.strictObject({ visible: z.boolean() });
