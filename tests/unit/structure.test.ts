/**
 * The shape of the product code: no import cycle (type imports count: they tie files together just the same)
 * and no file over 400 lines. Covers server/, client/, widget/ and console/, not Prisma's generated client.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'vite';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const MAX_LINES = 400;
/** Translation dictionaries grow with every string and language. */
const DICTIONARIES = new Set(['console/i18n.ts', 'widget/frame/i18n.ts']);

function productFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join('server', 'db', 'generated') ? [] : productFiles(path);
    return /\.(ts|tsx|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const files = ['server', 'client', 'widget', 'console'].flatMap(productFiles);
const sources = new Map(files.map((file) => [file, readFileSync(join(root, file), 'utf8')]));

/** The product files `file` imports, statically or not, types included. */
function importsOf(file: string): string[] {
  const { module, errors } = parseSync(file, sources.get(file)!);
  if (errors.length > 0) throw new Error(`${file} does not parse: ${errors[0]!.message}`);
  const specifiers = [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) => e.entries.flatMap((entry) => (entry.moduleRequest ? [entry.moduleRequest.value] : []))),
    ...module.dynamicImports.map((d) => sources.get(file)!.slice(d.moduleRequest.start + 1, d.moduleRequest.end - 1)),
  ];
  return specifiers.filter((s) => s.startsWith('.')).map((s) => relative(root, resolve(root, dirname(file), s))).filter((target) => sources.has(target));
}

/** Every cycle as the chain of files around it, each found once from the first of its files visited. */
function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    const onPath = path.indexOf(file);
    if (onPath >= 0) return void cycles.push([...path.slice(onPath), file]);
    if (done.has(file)) return;
    path.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return cycles;
}

describe('product code structure', () => {
  it('finds the cycles it is meant to find', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []]]);
    expect(importCycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no import cycle, type imports included', () => {
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    expect(importCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('lets the console and the widget take only the contract from the server (build scripts aside)', () => {
    const clientFiles = files.filter((file) => /^(console|widget)\//.test(file) && !file.startsWith(join('widget', 'build')));
    const reaching = clientFiles.flatMap((file) =>
      importsOf(file).filter((target) => target.startsWith('server/') && !target.startsWith('server/contract/')).map((target) => `${file} -> ${target}`),
    );
    expect(clientFiles.length).toBeGreaterThan(0);
    expect(reaching).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines but translation dictionaries (and the known ones, for now)`, () => {
    const lines = (file: string) => sources.get(file)!.replace(/\n$/, '').split('\n').length;
    const oversized = files.filter((file) => !DICTIONARIES.has(file) && lines(file) > MAX_LINES);
    expect(oversized.map((file) => `${file}: ${lines(file)} lines`)).toEqual([]);
  });
});
