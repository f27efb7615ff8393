/**
 * Serving GET /metrics: on the main port behind METRICS_TOKEN, or on METRICS_PORT, a server of its own bound to
 * 127.0.0.1 that answers nothing else (and checks the token too when one is set). With neither, /metrics is
 * not served at all.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Metrics } from './metrics.ts';

/** Answers a scrape when `token` (if any) is presented as `Authorization: Bearer …`; otherwise 401. */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'A valid metrics token is required' } });
    }
    metrics.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(body);
      },
      () => json(res, 503, { error: { code: 'UNAVAILABLE', message: 'Metrics could not be collected; try again' } }),
    );
  };
}

/** The METRICS_PORT server: GET /metrics on 127.0.0.1 only, 404 for anything else. */
export function metricsServer(metrics: Metrics, token: string | undefined): Server {
  const answer = metricsHandler(metrics, token);
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') return answer(req, res);
    json(res, 404, { error: { code: 'NOT_FOUND', message: 'No such endpoint' } });
  });
}

/** Compares digests, which have one length, so the time taken tells nothing about the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
