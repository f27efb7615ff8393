/**
 * One webhook attempt (or push message, server/push/deliver.ts) over node:http(s): connected to the address the guard checked (pinned through `lookup`),
 * bounded in time, redirects not followed (a 3xx is a failure: following it would bypass the guard), and at
 * most the first KiB of the answer read; the rest is discarded by closing the connection.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { RefusedTarget, resolveTarget, type ResolvedTarget } from './address-guard.ts';

export const RESPONSE_SNIPPET_BYTES = 1024;

/**
 * The run timeout of a job that makes one such request: the request's own bound and a margin for the reads and
 * writes around it, so the request times out first (and is recorded as such) and the job's lease follows it.
 */
export function sendJobTimeoutMs(requestTimeoutMs: number): number {
  return requestTimeoutMs + 5_000;
}

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseSnippet: string | null;
}

export interface SendOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Throws RefusedTarget when the host is, or resolves to, an address webhooks may not reach; nothing is sent then. */
export async function sendWebhook(rawUrl: string, headers: Record<string, string>, body: string | Uint8Array, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const url = new URL(rawUrl);
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])]);
  try {
    const target = await resolveTarget(url, options.allowPrivate);
    const response = await post(url, target, headers, body, signal);
    const snippet = await firstBytes(response, RESPONSE_SNIPPET_BYTES);
    const statusCode = response.statusCode ?? 0;
    const ok = statusCode >= 200 && statusCode < 300;
    const error = ok ? null : statusCode >= 300 && statusCode < 400 ? `redirect (${statusCode}) not followed` : `answered ${statusCode}`;
    return { ok, statusCode, latencyMs: latency(), error, responseSnippet: snippet };
  } catch (error) {
    // A private address is refused for good (the caller stops); anything else is this attempt's failure.
    if (error instanceof RefusedTarget) throw error;
    const message = signal.aborted ? `no answer within ${options.timeoutMs} ms` : (error as Error).message || String(error);
    return { ok: false, statusCode: null, latencyMs: latency(), error: message, responseSnippet: null };
  }
}

function post(url: URL, target: ResolvedTarget, headers: Record<string, string>, body: string | Uint8Array, signal: AbortSignal): Promise<IncomingMessage> {
  // The connection goes to the checked address whatever the name resolves to now; TLS still checks the name.
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body).toString(), 'user-agent': 'Parley-Webhooks', ...headers },
      lookup: pinned,
      signal,
      agent: false,
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end(body);
  });
}

/** Reads up to `limit` bytes of the body, then closes the connection rather than read a receiver's gigabytes. */
function firstBytes(response: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      response.destroy();
      resolve(Buffer.concat(chunks).subarray(0, limit).toString('utf8'));
    };
    response.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) done();
    });
    response.once('end', done);
    // A reset after the status line still leaves the status: the body is only for the log.
    response.once('error', done);
    response.once('aborted', done);
  });
}
