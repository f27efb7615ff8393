/**
 * The admin REST API (role admin; `Authorization: Bearer <access token>`; JSON in and out; errors as
 * `{ error: { code, message } }`). Agents may read reports of their own work only where stated.
 */
import type { AgentDTO, AgentRole, BusinessHours, CannedResponseDTO, PrechatSettings, SiteDTO, WidgetSettings } from './dto.ts';

/** GET /api/admin/sites -> SiteAdminDTO[]; GET /api/admin/sites/:id -> SiteAdminDTO */
export interface SiteAdminDTO extends SiteDTO {
  identitySecret: string;
  /** Goes one up with every rotation of the visitor key (POST /api/admin/sites/:id/rotate-visitor-key -> SiteAdminDTO). */
  visitorKeyVersion: number;
  /** The one-tag embed code. */
  snippet: string;
  createdAt: string;
}

/** Widget settings as a request sends them: any top-level field, and nested objects field by field. */
export type WidgetSettingsPatch = Partial<Omit<WidgetSettings, 'prechat' | 'businessHours'>> & {
  prechat?: Partial<PrechatSettings>;
  businessHours?: Partial<BusinessHours>;
};

/** POST /api/admin/sites -> SiteAdminDTO */
export interface CreateSiteRequest {
  name: string;
  allowedOrigins: string[];
  widgetSettings?: WidgetSettingsPatch;
  identityRequired?: boolean;
}

/** PATCH /api/admin/sites/:id -> SiteAdminDTO (widgetSettings is merged one level deep) */
export type UpdateSiteRequest = Partial<CreateSiteRequest>;
/** POST /api/admin/sites/:id/rotate-secret -> SiteAdminDTO with a new identitySecret */

/** GET /api/admin/agents -> AgentAdminDTO[] */
export interface AgentAdminDTO extends AgentDTO {
  /** Site ids this agent answers for, or 'all' for admins. */
  siteIds: string[] | 'all';
  createdAt: string;
}

/**
 * POST /api/admin/agents -> InviteResult. Without a password the agent gets a one-time link
 * (valid 7 days) to set one at /console/invite#token=...
 */
export interface CreateAgentRequest {
  email: string;
  name: string;
  role: AgentRole;
  capacity?: number;
  /** Sites the agent answers for; omitted, every site that exists (as `cli agent create` without --site). */
  siteIds?: string[];
  password?: string;
}

export interface InviteResult {
  agent: AgentAdminDTO;
  /** Present when no password was given: share it with the agent once. */
  inviteUrl: string | null;
}

/** PATCH /api/admin/agents/:id -> AgentAdminDTO. Deactivating requeues their conversations at once. */
export interface UpdateAgentRequest {
  name?: string;
  role?: AgentRole;
  capacity?: number;
  siteIds?: string[];
  active?: boolean;
  avatarUrl?: string | null;
}

/** POST /api/auth/invite/accept { token, password } -> AgentSession (signed in) */
export interface AcceptInviteRequest {
  token: string;
  password: string;
}

/** GET /api/admin/canned -> CannedResponseDTO[]; POST creates; PATCH /:id edits; DELETE /:id -> 204 */
export interface CannedResponseRequest {
  siteId: string | null;
  shortcut: string;
  title: string;
  body: string;
}
export type { CannedResponseDTO };

/** Percentiles of a duration in milliseconds; null when there are no samples. */
export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface ReportRow {
  /** The day (YYYY-MM-DD, in the requested time zone) or the agent id. */
  key: string;
  /** Agent name for per-agent rows; the day again for per-day rows. */
  label: string;
  conversations: number;
  resolved: number;
  waitToAssignment: DurationStats;
  firstResponse: DurationStats;
  resolution: DurationStats;
  ratingAverage: number | null;
  ratings: number;
}

/**
 * GET /api/admin/reports?from=YYYY-MM-DD&to=YYYY-MM-DD&groupBy=day|agent&tz=Area/City[&siteId=...]
 * -> Report. Add `&format=csv` for the same rows as CSV (text/csv, attachment).
 */
export interface Report {
  from: string;
  to: string;
  groupBy: 'day' | 'agent';
  timezone: string;
  totals: ReportRow;
  rows: ReportRow[];
  /** What bots did with the conversations of the range. */
  bots: BotReport;
}

/** Bots over a report's conversations (counted on the day each was first queued, like the rows). */
export interface BotReport {
  /** Held by a bot now, or resolved while a bot held them: no person took part. */
  heldByBot: number;
  resolvedByBot: number;
  /** Conversations a bot handed to people, and the handoffs by reason (a conversation may be handed off more than once). */
  handedOff: number;
  handoffsByReason: { reason: 'visitor-asked' | 'bot-asked' | 'not-covered' | 'error' | 'timeout'; count: number }[];
  /** Visitors' ratings of the conversations resolved by a bot, and of those handed off. */
  resolvedByBotRating: { average: number | null; count: number };
  handedOffRating: { average: number | null; count: number };
  /** Bot replies sent (their BotTurn rows): mean time to answer, and model tokens where the bot reports them (AI bots). */
  answers: { count: number; averageLatencyMs: number | null; promptTokens: number; completionTokens: number };
}

/** One hour of the week in the staffing view, measured over the last four weeks. */
export interface StaffingHour {
  /** 0 to 167 in the view's time zone: 0 is Monday 00:00–01:00, 167 is Sunday 23:00–24:00. */
  hourOfWeek: number;
  /** Conversations queued in this hour, per week on average. */
  arrivals: number;
  /** Mean time from assignment to resolution of those resolved, in ms; null when none was. */
  handleMs: number | null;
  /** Erlang C: agents needed to meet the target (this hour's handle time, else the overall one); null when no handle time is known. */
  agentsNeeded: number | null;
  /** Distinct agents who sent a message in this hour, per week on average: Parley keeps no presence history. */
  agentsAnswered: number;
}

/** What the last four weeks measured, over every hour. */
export interface StaffingTotals {
  conversations: number;
  /** Conversations per hour, averaged over the four weeks. */
  arrivalsPerHour: number;
  /** Mean assignment to resolution, in ms; null when nothing was resolved. */
  handleMs: number | null;
  messages: number;
  messagesPerConversation: number | null;
  /** Mean stored message body plus the event's frame around it, in bytes; null without messages. */
  messageBytes: number | null;
  /** The busiest hour's agents needed. */
  peakAgentsNeeded: number | null;
}

/**
 * GET /api/admin/reports/staffing?tz=Area/City[&siteId=...][&serviceLevel=80][&seconds=30] -> StaffingView:
 * agents needed per hour of the week for `serviceLevel` % of conversations assigned within `seconds`.
 */
export interface StaffingView {
  /** The measured window: the four weeks before now (ISO instants). */
  from: string;
  to: string;
  timezone: string;
  target: { serviceLevel: number; seconds: number };
  totals: StaffingTotals;
  hours: StaffingHour[];
}
