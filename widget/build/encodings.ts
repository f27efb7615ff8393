/** The build's compressed variants: what Parley sends browsers, and so what the budgets weigh. */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const brotliMax = (bytes: Uint8Array): Buffer =>
  brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });

export const gzipMax = (bytes: Uint8Array): Buffer => gzipSync(bytes, { level: 9 });
