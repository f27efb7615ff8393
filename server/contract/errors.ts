/** Every error a client can receive, in a Socket.IO ack or an HTTP JSON body. */
export const ERROR_CODES = [
  'BAD_REQUEST', // payload failed validation
  'UNAUTHORIZED', // missing, expired or invalid credentials
  'FORBIDDEN', // authenticated, but not allowed (other visitor's conversation, other site, wrong role)
  'ORIGIN_NOT_ALLOWED', // Origin header is not one of the site's allowed origins
  'NOT_FOUND',
  'NOT_QUEUED', // claim of a conversation that is no longer waiting
  'ALREADY_ASSIGNED', // lost a claim race
  'AGENT_AT_CAPACITY', // assignment would exceed the agent's capacity
  'AGENT_UNAVAILABLE', // transfer target is offline, away or inactive
  'CONVERSATION_RESOLVED', // writing to a resolved conversation
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'LIMIT_EXCEEDED', // the write would take a stored total (a visitor's attributes) past its cap; nothing was changed
  'CONFLICT',
  'UNPROCESSABLE', // well-formed but cannot be taken: an email naming no conversation of ours, a forged or expired token
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAVAILABLE', // database or another dependency refused; retry later
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** With RATE_LIMITED: when trying again can succeed. */
  retryAfterMs?: number;
}

/** The answer to every client-to-server command. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };

export type AckCallback<T> = (ack: Ack<T>) => void;

/** HTTP status used when an error code travels over HTTP. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ORIGIN_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  NOT_QUEUED: 409,
  ALREADY_ASSIGNED: 409,
  AGENT_AT_CAPACITY: 409,
  AGENT_UNAVAILABLE: 409,
  CONVERSATION_RESOLVED: 409,
  CONFLICT: 409,
  UNPROCESSABLE: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  LIMIT_EXCEEDED: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
