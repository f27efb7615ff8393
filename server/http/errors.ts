/** Maps every failure to `{ error: { code, message } }` with the code's HTTP status. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HTTP_STATUS, type ApiError } from '../contract/errors.ts';
import type { HttpErrorBody } from '../contract/http.ts';
import { AppError } from '../app/errors.ts';
import { toApiError } from '../realtime/command.ts';
import type { Logger } from '../app/logger.ts';

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const apiError = clientError(log, req.originalUrl, error) ?? toApiError(log, `${req.method} ${req.path}`, error);
    // Already answered (a body cut for being too slow): nothing more can be sent on this connection.
    if (res.headersSent) return void res.destroy();
    const body: HttpErrorBody = { error: apiError };
    res.status(HTTP_STATUS[apiError.code]).json(body);
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new AppError('NOT_FOUND', 'No such endpoint'));

/**
 * Express, its router, body parsers and static files mark what the client got wrong with a 4xx `status`
 * (a malformed percent-encoding in the path, a malformed, oversized, undecodable or aborted body): answered with
 * the matching code and logged as the client's doing, without a stack, not as a server failure.
 */
function clientError(log: Logger, url: string, error: unknown): ApiError | null {
  const e = error as { type?: string; status?: number; message?: string };
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return null;
  log.info({ url: url.slice(0, 200), status: e.status, reason: e.message }, 'client error');
  if (e.status === 413) return { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' };
  if (e.type === 'entity.parse.failed') return { code: 'BAD_REQUEST', message: 'Malformed JSON body' };
  if (error instanceof URIError) return { code: 'BAD_REQUEST', message: 'Malformed percent-encoding in the URL' };
  if (e.status === 403) return { code: 'FORBIDDEN', message: 'Not allowed' };
  if (e.status === 404) return { code: 'NOT_FOUND', message: 'Not found' };
  return { code: 'BAD_REQUEST', message: e.type ? 'Unreadable request body' : 'Bad request' };
}

/** Wraps an async route so a rejection reaches the error handler. */
export const route =
  (handler: (...args: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    handler(req, res, next).catch(next);
  };
