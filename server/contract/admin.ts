/**
 * The admin REST API (role admin; `Authorization: Bearer <access token>`; JSON in and out; errors as
 * `{ error: { code, message } }`). Agents may read reports of their own work only where stated.
 */
import type { AgentDTO, AgentRole, CannedResponseDTO, SiteDTO, WidgetSettings } from './dto.ts';

/** GET /api/admin/sites -> SiteAdminDTO[]; GET /api/admin/sites/:id -> SiteAdminDTO */
export interface SiteAdminDTO extends SiteDTO {
  identitySecret: string;
  /** Goes one up with every rotation of the visitor key (POST /api/admin/sites/:id/rotate-visitor-key -> SiteAdminDTO). */
  visitorKeyVersion: number;
  /** The one-tag embed code. */
  snippet: string;
  createdAt: string;
}

/** POST /api/admin/sites -> SiteAdminDTO */
export interface CreateSiteRequest {
  name: string;
  allowedOrigins: string[];
  widgetSettings?: Partial<WidgetSettings>;
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
}
