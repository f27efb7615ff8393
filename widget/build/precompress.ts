/**
 * The last step of `npm run build`: writes `x.br` (brotli, highest quality) and `x.gz` (gzip -9) beside every
 * text asset in dist/, so the server sends them as they are, without compressing on each request.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliMax, gzipMax } from './encodings.ts';

const DIST = resolve(import.meta.dirname, '../../dist');
const COMPRESSIBLE = /\.(js|css|html|svg|json|webmanifest)$/;

const files = readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((file) => COMPRESSIBLE.test(file));
for (const file of files) {
  const bytes = readFileSync(join(DIST, file));
  writeFileSync(join(DIST, `${file}.br`), brotliMax(bytes));
  writeFileSync(join(DIST, `${file}.gz`), gzipMax(bytes));
}
console.log(`precompressed ${files.length} files in dist/ (brotli 11, gzip 9)`);
