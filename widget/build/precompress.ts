/**
 * The last step of `npm run build`: writes `x.br` (brotli, highest quality) and `x.gz` (gzip -9) beside every
 * text asset in dist/, so the server sends them as they are, without compressing on each request.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const DIST = resolve(import.meta.dirname, '../../dist');
const COMPRESSIBLE = /\.(js|css|html|svg|json|webmanifest)$/;

function precompress(file: string): void {
  const bytes = readFileSync(file);
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(`${file}.br`, brotli);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
}

const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((file) => COMPRESSIBLE.test(file));
for (const file of files) precompress(join(DIST, file));
console.log(`precompressed ${files.length} files in dist/ (brotli 11, gzip 9)`);
