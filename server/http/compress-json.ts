/**
 * Compresses JSON answers above a threshold for clients that accept it: brotli at a fast quality, else gzip.
 * Written on node:zlib because the `compression` package, the usual middleware, is not among the
 * dependencies. Only `application/json` bodies sent whole (res.json, res.send) are touched: streamed files
 * and attachment downloads (already compressed formats) pass as they are, and Socket.IO frames never come
 * through Express.
 */
import type { RequestHandler, Response } from 'express';
import { brotliCompress, constants, gzip } from 'node:zlib';

export const JSON_COMPRESSION_THRESHOLD = 1024;

type Coding = 'br' | 'gzip';

const compressors: Record<Coding, (body: Buffer, done: (error: Error | null, result: Buffer) => void) => void> = {
  br: (body, done) =>
    brotliCompress(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, done),
  gzip: (body, done) => gzip(body, { level: 6 }, done),
};

const isJson = (res: Response) => /^application\/json\b/.test(String(res.getHeader('Content-Type') ?? ''));

export function compressJson(thresholdBytes = JSON_COMPRESSION_THRESHOLD): RequestHandler {
  return (req, res, next) => {
    const end = res.end.bind(res) as (chunk?: unknown, encoding?: unknown, callback?: unknown) => Response;
    res.end = ((chunk?: unknown, encoding?: unknown, callback?: unknown) => {
      const body = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk;
      const eligible = !res.headersSent && req.method !== 'HEAD' && Buffer.isBuffer(body) && body.length > thresholdBytes
        && isJson(res) && !res.getHeader('Content-Encoding');
      if (!eligible) return end(chunk, encoding, callback);
      res.vary('Accept-Encoding');
      // The order states our preference: br is smaller; either one refused with q=0 is never sent.
      const coding: Coding | false = req.acceptsEncodings('br') ? 'br' : req.acceptsEncodings('gzip') ? 'gzip' : false;
      if (!coding) return end(chunk, encoding, callback);
      compressors[coding](body, (error, compressed) => {
        if (error) return end(chunk, encoding, callback);
        // Express's ETag stays: it is weak, which says "same content" across codings, as nginx does.
        res.setHeader('Content-Encoding', coding);
        res.setHeader('Content-Length', compressed.length);
        end(compressed, typeof encoding === 'function' ? encoding : callback);
      });
      return res;
    }) as Response['end'];
    next();
  };
}
