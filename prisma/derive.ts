// Derives prisma/postgres/schema.prisma from prisma/schema.prisma, the one model source.
// Run: tsx prisma/derive.ts (npm run db:migration also runs it).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { layout } from './layout.ts';

const HEADER = '// generated, do not edit: derived from prisma/schema.prisma by prisma/derive.ts\n\n';

export function derivePostgresSchema(source: string): string {
  const body = source.replace(/^(\/\/.*\n)+\s*/, ''); // the source's own header describes the source file
  const withProvider = replaceOnce(body, /(provider\s*=\s*)"sqlite"/, '$1"postgresql"');
  return HEADER + replaceOnce(withProvider, /(output\s*=\s*)"\.\.\/server\/db\/generated\/sqlite"/, '$1"../../server/db/generated/postgres"');
}

// Fails loudly when the source no longer has the expected shape instead of deriving a wrong schema.
function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const count = text.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
  if (count !== 1) throw new Error(`prisma/schema.prisma: expected exactly one match of ${pattern}, found ${count}`);
  return text.replace(pattern, replacement);
}

export function writeDerivedSchema(): void {
  const derived = derivePostgresSchema(readFileSync(layout.sqlite.schema, 'utf8'));
  mkdirSync(dirname(layout.postgresql.schema), { recursive: true });
  writeFileSync(layout.postgresql.schema, derived);
}

if (process.argv[1] === import.meta.filename) writeDerivedSchema();
