/** Request and response bodies of the HTTP API. Errors are always `{ error: ApiError }` with a 4xx/5xx status. */
import type { AgentDTO, AttachmentDTO, WidgetSettings } from './dto.ts';
import type { ApiError } from './errors.ts';

export interface HttpErrorBody {
  error: ApiError;
}

/** POST /api/auth/login */
export interface LoginRequest {
  email: string;
  password: string;
}

/** Answer of login and POST /api/auth/refresh; the refresh token travels only in an httpOnly cookie. */
export interface AgentSession {
  accessToken: string;
  /** ISO time the access token expires; refresh before. */
  expiresAt: string;
  agent: AgentDTO;
}

/** GET /api/widget/config?site=KEY (CORS for the site's allowed origins) */
export interface WidgetConfig {
  siteKey: string;
  siteName: string;
  settings: WidgetSettings;
  agentsOnline: boolean;
  identityRequired: boolean;
  maxMessageLength: number;
  /** Inside business hours (always true when the site sets none). */
  open: boolean;
  attachments: AttachmentLimits;
  /** The server sends email (SMTP_URL is set): only then may the widget promise a reply by email. */
  emailEnabled: boolean;
}

export interface AttachmentLimits {
  maxBytes: number;
  /** Accepted content types (checked against the file's bytes, not only its name). */
  types: string[];
}

/**
 * POST /api/attachments: the file as the raw request body, `Content-Type` its type, `X-File-Name` its name
 * (URI-encoded), `Authorization: Bearer <visitor or agent token>`, and for visitors `X-Conversation-Id` when
 * one is open. -> AttachmentDTO. Then send its id in `attachmentIds` with a message; a file not sent within the
 * server's unsent TTL is deleted. A visitor's upload over a byte quota (per address, per site, or of all unsent
 * files) is refused with RATE_LIMITED and `retryAfterMs`, before the body is read when Content-Length says so.
 * Served names carry the extension of the type found in the bytes (`page.html` holding text becomes `page.txt`).
 */
export type UploadResponse = AttachmentDTO;

/** POST /api/widget/session: called by the loader from the host page, so Origin is the host's. */
export interface VisitorSessionRequest {
  siteKey: string;
  /** A token from an earlier session; reused when still valid for this site. */
  token?: string;
}

export interface VisitorSessionResponse {
  token: string;
  visitorId: string;
  expiresAt: string;
}
