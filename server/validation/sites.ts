/** The shape of site requests (settings, origins), shared by the admin API and the CLI. */
import { z } from 'zod';
import { parseAllowedOrigin } from '../auth/origins.ts';
import { ORIGIN_RULE } from '../app/admin.ts';
import { isValidTimeZone } from '../app/reports.ts';
import type { CreateSiteRequest, UpdateSiteRequest, WidgetSettingsPatch } from '../contract/admin.ts';
import { LOCALES } from '../contract/dto.ts';
import { storableText } from './primitives.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
export const timezone = z.string().min(1).max(64).refine(isValidTimeZone, 'must be an IANA time zone');
const day = z.strictObject({ open: hhmm, close: hhmm });

export const widgetSettings = z.strictObject({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb colour'),
  position: z.enum(['right', 'left']),
  offsetX: z.number().int().min(0).max(500),
  offsetY: z.number().int().min(0).max(500),
  zIndex: z.number().int().min(0).max(2147483647),
  teamName: storableText().max(60),
  greeting: storableText().max(500),
  locale: z.enum(['auto', ...LOCALES]),
  prechat: z.strictObject({ enabled: z.boolean(), nameRequired: z.boolean(), emailRequired: z.boolean() }).partial(),
  businessHours: z
    .strictObject({
      enabled: z.boolean(),
      timezone,
      days: z.strictObject({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }).partial(),
    })
    .partial(),
  offlineMessage: storableText().max(1000),
  typingPreview: z.boolean(),
  agentsSeeAll: z.boolean(),
  emailAfterMinutes: z.number().int().min(1).max(1440),
  emailOfflineMessagesToAgents: z.boolean(),
  alertAfterSeconds: z.number().int().min(5).max(3600),
  escalateToAgentsAfterMinutes: z.number().int().min(0).max(1440),
  escalateToAdminsAfterMinutes: z.number().int().min(0).max(1440),
  alertsWithoutMessageText: z.boolean(),
}).partial() satisfies z.ZodType<WidgetSettingsPatch>;

const origin = storableText().min(1).max(300).refine((value) => parseAllowedOrigin(value) !== null, ORIGIN_RULE);
const origins = z.array(origin).min(1).max(50);
export const createSite = z.strictObject({
  name: storableText().min(1).max(100),
  allowedOrigins: origins,
  widgetSettings: widgetSettings.optional(),
  identityRequired: z.boolean().optional(),
}) satisfies z.ZodType<CreateSiteRequest>;
export const updateSite = createSite.partial() satisfies z.ZodType<UpdateSiteRequest>;

