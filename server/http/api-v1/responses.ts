/**
 * zod mirrors of what API v1 answers, for the OpenAPI document only. Each `satisfies` its wire type, and the
 * objects are strict, so a field added to a DTO and not here fails the integration test that checks every answer.
 */
import { z } from 'zod';
import { ERROR_CODES, type ApiError } from '../../contract/errors.ts';
import type { ConversationAttachment, ConversationListPage } from '../../contract/api-v1.ts';
import type {
  AgentPublicDTO, AttachmentDTO, ConversationDTO, ConversationSummaryDTO, HistoryPage, MessageDTO, PageViewDTO, SystemEvent, VisitorDTO, VisitorSummary,
} from '../../contract/dto.ts';
import type { ConversationDetail, SendResult } from '../../contract/events.ts';
import type { EmailDTO } from '../../contract/email.ts';

/** Every answer's schema, by the name the OpenAPI document's components give it. */
export const responseSchemas = z.registry<{ id: string }>();

const time = z.iso.datetime();
const nullableId = z.string().nullable();

const systemEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('assigned'), agentId: z.string(), agentName: z.string() }),
  z.strictObject({ type: z.literal('transferred'), fromAgentId: nullableId, agentId: z.string(), agentName: z.string() }),
  z.strictObject({ type: z.literal('unassigned'), fromAgentId: nullableId }),
  z.strictObject({ type: z.literal('requeued'), fromAgentId: z.string(), reason: z.literal('agent_left') }),
  z.strictObject({ type: z.literal('handed_off'), fromAgentId: z.string(), reason: z.enum(['visitor-asked', 'bot-asked', 'not-covered', 'error', 'timeout']) }),
  z.strictObject({ type: z.literal('resolved'), byAgentId: nullableId }),
  z.strictObject({ type: z.literal('reopened'), byAgentId: z.string(), agentName: z.string() }),
]) satisfies z.ZodType<SystemEvent>;

const attachmentFields = { id: z.string(), fileName: z.string(), contentType: z.string(), size: z.number().int(), image: z.boolean(), url: z.string() };
export const attachment = z.strictObject(attachmentFields).register(responseSchemas, { id: 'Attachment' }) satisfies z.ZodType<AttachmentDTO>;

export const conversationAttachments = z.array(z.strictObject({
  ...attachmentFields,
  messageId: z.string(),
  uploaderKind: z.enum(['visitor', 'agent']),
  uploaderId: z.string(),
  createdAt: time,
}) satisfies z.ZodType<ConversationAttachment>).register(responseSchemas, { id: 'ConversationAttachments' });

export const message = z.strictObject({
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().min(1),
  authorKind: z.enum(['visitor', 'agent', 'system', 'note']),
  authorId: nullableId,
  authorName: z.string().nullable(),
  body: z.string(),
  system: systemEvent.nullable(),
  clientId: z.string().nullable(),
  attachments: z.array(attachment),
  createdAt: time,
}).register(responseSchemas, { id: 'Message' }) satisfies z.ZodType<MessageDTO>;

const agentPublic = z.strictObject({ id: z.string(), name: z.string(), avatarUrl: z.string().nullable(), bot: z.literal(true).optional() }) satisfies z.ZodType<AgentPublicDTO>;

const conversationFields = {
  id: z.string(),
  siteId: z.string(),
  visitorId: z.string(),
  status: z.enum(['queued', 'active', 'resolved']),
  assignee: agentPublic.nullable(),
  queuedAt: time,
  assignedAt: time.nullable(),
  firstResponseAt: time.nullable(),
  resolvedAt: time.nullable(),
  lastSeq: z.number().int(),
  visitorReadSeq: z.number().int(),
  agentReadSeq: z.number().int(),
  rating: z.number().int().nullable(),
  ratingComment: z.string().nullable(),
};
export const conversation = z.strictObject(conversationFields).register(responseSchemas, { id: 'Conversation' }) satisfies z.ZodType<ConversationDTO>;

const visitorSummary = z.strictObject({
  id: z.string(), name: z.string().nullable(), email: z.string().nullable(), verified: z.boolean(), nameVerified: z.boolean(), emailVerified: z.boolean(),
}) satisfies z.ZodType<VisitorSummary>;

export const conversationSummary = z.strictObject({
  ...conversationFields,
  visitor: visitorSummary,
  lastMessage: message.nullable(),
  labels: z.array(z.string()),
}).register(responseSchemas, { id: 'ConversationSummary' }) satisfies z.ZodType<ConversationSummaryDTO>;

export const visitor = z.strictObject({
  id: z.string(),
  siteId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  verified: z.boolean(),
  nameVerified: z.boolean(),
  emailVerified: z.boolean(),
  externalId: z.string().nullable(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: time,
  lastSeenAt: time,
  locale: z.string().nullable(),
  timezone: z.string().nullable(),
  userAgent: z.string().nullable(),
  referrer: z.string().nullable(),
  pageUrl: z.string().nullable(),
  pageTitle: z.string().nullable(),
}).register(responseSchemas, { id: 'Visitor' }) satisfies z.ZodType<VisitorDTO>;

const pageView = z.strictObject({ url: z.string(), title: z.string().nullable(), at: time }) satisfies z.ZodType<PageViewDTO>;

const email = z.strictObject({
  id: z.string(),
  purpose: z.enum(['continuity', 'transcript', 'agent-alert', 'agent-escalation', 'offline-message']),
  conversationId: z.string().nullable(),
  siteId: z.string().nullable(),
  recipient: z.string(),
  subject: z.string(),
  state: z.enum(['queued', 'sent', 'failed']),
  attempts: z.number().int(),
  reason: z.string().nullable(),
  relayResponse: z.string().nullable(),
  createdAt: time,
  sentAt: time.nullable(),
}).register(responseSchemas, { id: 'Email' }) satisfies z.ZodType<EmailDTO>;

export const conversationDetail = z.strictObject({
  conversation: conversationSummary,
  visitor,
  pages: z.array(pageView),
  earlier: z.array(conversationSummary),
  emails: z.array(email),
  emailEnabled: z.boolean(),
}).register(responseSchemas, { id: 'ConversationDetail' }) satisfies z.ZodType<ConversationDetail>;

export const conversationPage = z.strictObject({
  items: z.array(conversationSummary),
  nextCursor: z.string().nullable(),
}).register(responseSchemas, { id: 'ConversationPage' }) satisfies z.ZodType<ConversationListPage>;

export const historyPage = z.strictObject({ messages: z.array(message), hasMore: z.boolean() }).register(responseSchemas, { id: 'HistoryPage' }) satisfies z.ZodType<HistoryPage>;

export const sendResult = z.strictObject({ message, conversation }).register(responseSchemas, { id: 'SendResult' }) satisfies z.ZodType<SendResult>;

export const errorBody = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    retryAfterMs: z.number().optional(),
  }) satisfies z.ZodType<ApiError>,
}).register(responseSchemas, { id: 'Error' });
