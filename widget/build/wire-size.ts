/**
 * What a browser downloads of the widget from a running Parley: the loader (/widget.js), and the chat frame's
 * entry document plus every script it names, each counted in body bytes as sent without compression, with
 * gzip, and with brotli (`Accept-Encoding: br, gzip`, as browsers ask). Shared by `npm run size` and the bench.
 */
import { type IncomingHttpHeaders, request } from 'node:http';

export interface WireBytes {
  identity: number;
  gzip: number;
  /** What a browser asking for `br, gzip` receives: the figure the budgets apply to. */
  br: number;
}

export interface WidgetWire {
  loader: WireBytes;
  frame: WireBytes & { files: string[] };
}

const ASKS = { identity: undefined, gzip: 'gzip', br: 'br, gzip' } as const;

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** As received: node:http, unlike fetch, does not decompress. */
  body: Buffer;
}

export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject).end();
  });
}

async function bodyBytes(url: string, acceptEncoding: string | undefined): Promise<Buffer> {
  const res = await rawGet(url, acceptEncoding ? { 'accept-encoding': acceptEncoding } : {});
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.body;
}

async function weigh(urls: string[]): Promise<WireBytes> {
  const total: WireBytes = { identity: 0, gzip: 0, br: 0 };
  for (const url of urls) {
    for (const kind of ['identity', 'gzip', 'br'] as const) total[kind] += (await bodyBytes(url, ASKS[kind])).length;
  }
  return total;
}

/** The scripts an HTML document loads before its first render: `<script src>` and module preloads. */
export function scriptsOf(html: string): string[] {
  const tags = html.match(/<(script|link)\b[^>]*>/g) ?? [];
  return tags.flatMap((tag) => {
    const src = /\bsrc="([^"]+)"/.exec(tag)?.[1] ?? (/\brel="modulepreload"/.test(tag) ? /\bhref="([^"]+)"/.exec(tag)?.[1] : undefined);
    return src ? [src] : [];
  });
}

export async function measureWidgetWire(parleyUrl: string): Promise<WidgetWire> {
  const frameDocument = `${parleyUrl}/frame/`;
  const html = (await bodyBytes(frameDocument, undefined)).toString('utf8');
  const frameFiles = [frameDocument, ...scriptsOf(html).map((src) => new URL(src, frameDocument).href)];
  return {
    loader: await weigh([`${parleyUrl}/widget.js`]),
    frame: { ...(await weigh(frameFiles)), files: frameFiles.map((url) => new URL(url).pathname) },
  };
}

export const describeWire = (bytes: WireBytes): string =>
  `${bytes.br} B with br, ${bytes.gzip} B with gzip, ${bytes.identity} B uncompressed`;
