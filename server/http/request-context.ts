/** A request id on every request (kept from X-Request-Id when sane) and one log line per response. */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger as Pino } from 'pino';

const SANE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export function requestContext(log: Pino): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && SANE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = res.statusCode >= 500 ? 'error' : 'info';
      log[level]({ reqId: id, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
