/**
 * Slow request bodies (slow-loris) are cut. Node's requestTimeout alone cannot tell a slow attacker from a
 * large upload on a slow mobile link, so a body must keep an average rate once a grace period has passed; with
 * every body limited in size, that bounds how long any request can hold its connection. Idle WebSockets are
 * not requests any more once upgraded, so none of this touches them. No kept library does this (Kestrel's
 * MinRequestBodyDataRate is the model).
 */
import type { RequestHandler } from 'express';
import type { HttpErrorBody } from '../contract/http.ts';
import { ATTACHMENT_LIMITS } from '../app/attachments.ts';
import type { Logger } from '../app/logger.ts';

/** 64 kbit/s: below the slowest mobile data still in use. */
export const MIN_BODY_BYTES_PER_S = 8 * 1024;
/** A body may start late (connection setup, a phone waking its radio). */
export const BODY_GRACE_MS = 10_000;
const CHECK_EVERY_MS = 1_000;

/** Node's own limits: headers must arrive quickly; a whole request within what the rate rule allows the largest upload. */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: BODY_GRACE_MS + Math.ceil((ATTACHMENT_LIMITS.maxBytes / MIN_BODY_BYTES_PER_S) * 1000) + 30_000,
  // How often Node checks the two above (default 30 s would let a slow header linger that much longer).
  connectionsCheckingInterval: CHECK_EVERY_MS,
};

export function slowBodyCutoff(log: Logger): RequestHandler {
  return (req, res, next) => {
    const hasBody = (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return next();
    const started = performance.now();
    const readBefore = req.socket.bytesRead;
    const timer = setInterval(() => {
      if (req.complete) return clearInterval(timer);
      const elapsedMs = performance.now() - started;
      if (elapsedMs < BODY_GRACE_MS || req.socket.bytesRead - readBefore >= (MIN_BODY_BYTES_PER_S * elapsedMs) / 1000) return;
      clearInterval(timer);
      log.info({ path: req.path, bytes: req.socket.bytesRead - readBefore, ms: Math.round(elapsedMs) }, 'request body too slow; connection cut');
      const body: HttpErrorBody = { error: { code: 'BAD_REQUEST', message: 'The request body arrived too slowly' } };
      res.status(408).set('Connection', 'close').json(body);
      res.once('finish', () => req.socket.destroy());
    }, CHECK_EVERY_MS);
    res.once('close', () => clearInterval(timer));
    next();
  };
}
