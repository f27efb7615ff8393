/** Maps every failure to `{ error: { code, message } }` with the code's HTTP status. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HTTP_STATUS } from '../contract/errors.ts';
import type { HttpErrorBody } from '../contract/http.ts';
import { AppError } from '../app/errors.ts';
import { toApiError } from '../realtime/command.ts';
import type { Logger } from '../app/routing.ts';

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const apiError = bodyParserError(error) ?? toApiError(log, `${req.method} ${req.path}`, error);
    // Already answered (a body cut for being too slow): nothing more can be sent on this connection.
    if (res.headersSent) return void res.destroy();
    const body: HttpErrorBody = { error: apiError };
    res.status(HTTP_STATUS[apiError.code]).json(body);
  };
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new AppError('NOT_FOUND', 'No such endpoint'));

/** express.json() signals malformed or oversized bodies with a status and a type. */
function bodyParserError(error: unknown) {
  const e = error as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return { code: 'PAYLOAD_TOO_LARGE' as const, message: 'Request body too large' };
  if (e?.type === 'entity.parse.failed') return { code: 'BAD_REQUEST' as const, message: 'Malformed JSON body' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.type) {
    return { code: 'BAD_REQUEST' as const, message: 'Unreadable request body' };
  }
  return null;
}

/** Wraps an async route so a rejection reaches the error handler. */
export const route =
  (handler: (...args: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    handler(req, res, next).catch(next);
  };
