/**
 * The front matter of an imported Markdown article: a leading `---` block with `title:`, `tags: [a, b]` and
 * `published: true|false` (or `draft: true|false`), one per line. Parsed here rather than with a YAML library:
 * these three flat keys are all the format has, and a full YAML parser would accept (and silently interpret)
 * much more than an article file should carry.
 */

export interface FrontMatter {
  title?: string;
  tags?: string[];
  published?: boolean;
}

export interface ParsedArticleFile {
  meta: FrontMatter;
  body: string;
}

export class FrontMatterError extends Error {}

const FENCE = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export function parseArticleFile(text: string): ParsedArticleFile {
  const source = text.replace(/^\uFEFF/, '');
  const block = FENCE.exec(source);
  if (!block) return { meta: {}, body: source.trim() };
  const meta: FrontMatter = {};
  for (const [index, line] of block[1]!.split(/\r?\n/).entries()) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const pair = /^([A-Za-z]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!pair) throw new FrontMatterError(`front matter line ${index + 1}: expected "key: value"`);
    const [, key, value] = pair as unknown as [string, string, string];
    if (key === 'title') meta.title = unquote(value);
    else if (key === 'tags') meta.tags = parseList(value, index + 1);
    else if (key === 'published') meta.published = parseBoolean(value, index + 1);
    else if (key === 'draft') meta.published = !parseBoolean(value, index + 1);
    else throw new FrontMatterError(`front matter line ${index + 1}: unknown key "${key}" (title, tags, published, draft)`);
  }
  return { meta, body: source.slice(block[0].length).trim() };
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  return quoted ? quoted[2]! : value;
}

function parseList(value: string, line: number): string[] {
  const inner = /^\[(.*)\]$/.exec(value)?.[1] ?? value;
  if (inner.includes('[') || inner.includes(']')) throw new FrontMatterError(`front matter line ${line}: tags must be [a, b]`);
  return inner.split(',').map((tag) => unquote(tag.trim())).filter(Boolean);
}

function parseBoolean(value: string, line: number): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new FrontMatterError(`front matter line ${line}: expected true or false`);
}
