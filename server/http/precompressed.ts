/**
 * Static files from dist/ with the build's precompressed variants (`x.br`, `x.gz`, see
 * widget/build/precompress.ts): the best one the browser accepts, with Content-Encoding and Vary.
 */
import { createHash } from 'node:crypto';
import { readFileSync, type Stats } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import expressStaticGzip from 'express-static-gzip';

const contentTags = new Map<string, { size: number; mtimeMs: number; tag: string }>();

/**
 * A strong ETag from the served file's bytes (so each encoding has its own), the same on every node and
 * after every rebuild that changes nothing: serve-static's own tag is made of size and mtime, which
 * `npm start` renews on each build.
 */
function contentTag(path: string, stat: Stats): string {
  const known = contentTags.get(path);
  if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.tag;
  const tag = `"${createHash('sha256').update(readFileSync(path)).digest('base64url').slice(0, 27)}"`;
  contentTags.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, tag });
  return tag;
}

/**
 * `cacheControl` gets the asset's own path, without the `.br` or `.gz` of the variant sent. The variants are
 * listed on the first request, not at start: the bench starts the server while it builds dist/.
 */
export function precompressedStatic(root: string, cacheControl: (assetPath: string) => string): RequestHandler {
  let serve: RequestHandler | undefined;
  return (req, res, next) => {
    // express-static-gzip answers a malformed path itself, as plain text: send it to the error handler like any 4xx.
    if (!decodable(req.path)) return next(Object.assign(new URIError('Malformed percent-encoding in the path'), { status: 400 }));
    (serve ??= variantsOf(root, cacheControl))(req, res, next);
  };
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function variantsOf(root: string, cacheControl: (assetPath: string) => string): RequestHandler {
  return expressStaticGzip(root, {
    enableBrotli: true,
    // Browsers list br after gzip at the same weight; br is the smaller one. A q=0 still refuses it.
    orderPreference: ['br'],
    index: 'index.html',
    serveStatic: {
      index: 'index.html',
      // The content ETag decides freshness alone: a Last-Modified renewed by each build would make a
      // browser's unchanged copy look stale.
      lastModified: false,
      setHeaders(res: ServerResponse, path: string, stat: Stats) {
        res.setHeader('Cache-Control', cacheControl(path.replace(/\.(br|gz)$/, '')));
        res.setHeader('ETag', contentTag(path, stat));
      },
    },
  });
}
