/** zod mirrors of the admin console's answers that API v1 gives too (reports, sites, agents, invitations), for the OpenAPI document. */
import { z } from 'zod';
import type { AgentAdminDTO, DurationStats, InviteResult, Report, ReportRow, SiteAdminDTO } from '../../contract/admin.ts';
import { LOCALES, type WidgetSettings } from '../../contract/dto.ts';
import { responseSchemas } from './responses.ts';

const time = z.iso.datetime();
const duration = z.strictObject({ count: z.number().int(), medianMs: z.number().nullable(), p90Ms: z.number().nullable() }) satisfies z.ZodType<DurationStats>;

const reportRow = z.strictObject({
  key: z.string(),
  label: z.string(),
  conversations: z.number().int(),
  resolved: z.number().int(),
  waitToAssignment: duration,
  firstResponse: duration,
  resolution: duration,
  ratingAverage: z.number().nullable(),
  ratings: z.number().int(),
}) satisfies z.ZodType<ReportRow>;

export const report = z.strictObject({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(['day', 'agent']),
  timezone: z.string(),
  totals: reportRow,
  rows: z.array(reportRow),
  bots: z.strictObject({
    heldByBot: z.number().int(),
    resolvedByBot: z.number().int(),
    handedOff: z.number().int(),
    handoffsByReason: z.array(z.strictObject({ reason: z.enum(['visitor-asked', 'bot-asked', 'not-covered', 'error', 'timeout']), count: z.number().int() })),
    resolvedByBotRating: z.strictObject({ average: z.number().nullable(), count: z.number().int() }),
    handedOffRating: z.strictObject({ average: z.number().nullable(), count: z.number().int() }),
    answers: z.strictObject({ count: z.number().int(), averageLatencyMs: z.number().nullable(), promptTokens: z.number().int(), completionTokens: z.number().int() }),
  }),
}).register(responseSchemas, { id: 'Report' }) satisfies z.ZodType<Report>;

const hours = z.strictObject({ open: z.string(), close: z.string() });
const widgetSettings = z.strictObject({
  color: z.string(),
  position: z.enum(['right', 'left']),
  offsetX: z.number(),
  offsetY: z.number(),
  zIndex: z.number(),
  teamName: z.string(),
  greeting: z.string(),
  locale: z.enum(['auto', ...LOCALES]),
  prechat: z.strictObject({ enabled: z.boolean(), nameRequired: z.boolean(), emailRequired: z.boolean() }),
  businessHours: z.strictObject({
    enabled: z.boolean(),
    timezone: z.string(),
    days: z.strictObject({ mon: hours, tue: hours, wed: hours, thu: hours, fri: hours, sat: hours, sun: hours }).partial(),
  }),
  offlineMessage: z.string(),
  typingPreview: z.boolean(),
  agentsSeeAll: z.boolean(),
  emailAfterMinutes: z.number().int(),
  emailOfflineMessagesToAgents: z.boolean(),
  alertAfterSeconds: z.number().int(),
  escalateToAgentsAfterMinutes: z.number().int(),
  escalateToAdminsAfterMinutes: z.number().int(),
  alertsWithoutMessageText: z.boolean(),
}) satisfies z.ZodType<WidgetSettings>;

export const site = z.strictObject({
  id: z.string(),
  name: z.string(),
  publicKey: z.string(),
  allowedOrigins: z.array(z.string()),
  widgetSettings,
  identityRequired: z.boolean(),
  identitySecret: z.string(),
  visitorKeyVersion: z.number().int(),
  snippet: z.string(),
  createdAt: time,
}).register(responseSchemas, { id: 'Site' }) satisfies z.ZodType<SiteAdminDTO>;

export const sites = z.array(site).register(responseSchemas, { id: 'Sites' });

export const agent = z.strictObject({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'agent']),
  capacity: z.number().int(),
  status: z.enum(['online', 'away', 'offline']),
  connected: z.boolean(),
  load: z.number().int(),
  active: z.boolean(),
  avatarUrl: z.string().nullable(),
  siteIds: z.union([z.array(z.string()), z.literal('all')]),
  createdAt: time,
}).register(responseSchemas, { id: 'Agent' }) satisfies z.ZodType<AgentAdminDTO>;

export const agents = z.array(agent).register(responseSchemas, { id: 'Agents' });

export const inviteResult = z.strictObject({ agent, inviteUrl: z.string().nullable() }).register(responseSchemas, { id: 'InviteResult' }) satisfies z.ZodType<InviteResult>;
