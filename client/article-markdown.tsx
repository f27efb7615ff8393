/**
 * A knowledge-base article's Markdown as blocks (headings, paragraphs, lists, fenced code), each block's text
 * rendered inline by the chat's own safe renderer (rich-text.tsx): no HTML from the article ever reaches the page.
 * The console's preview renders it with Preact; the public page (server/http/kb-page.ts) serialises the same nodes.
 */
import type { ComponentChildren } from 'preact';
import { richText } from './rich-text.tsx';

export type ArticleBlock =
  | { kind: 'heading'; level: 2 | 3 | 4; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'code'; text: string };

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;

export function articleBlocks(markdown: string): ArticleBlock[] {
  const blocks: ArticleBlock[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      endParagraph();
      const code: string[] = [];
      while (++i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!)) code.push(lines[i]!);
      blocks.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    const item = BULLET.exec(line) ?? NUMBERED.exec(line);
    if (heading) {
      endParagraph();
      // The page's title is the one h1: article headings start at h2.
      blocks.push({ kind: 'heading', level: Math.min(4, Math.max(2, heading[1]!.length + 1)) as 2 | 3 | 4, text: heading[2]! });
    } else if (item) {
      endParagraph();
      const ordered = !BULLET.test(line);
      const last = blocks.at(-1);
      if (last?.kind === 'list' && last.ordered === ordered) last.items.push(item[1]!);
      else blocks.push({ kind: 'list', ordered, items: [item[1]!] });
    } else if (!line.trim()) endParagraph();
    else paragraph.push(line.trim());
  }
  endParagraph();
  return blocks;
}

/** The blocks as Preact nodes; inline text through richText. */
export function articleNodes(markdown: string): ComponentChildren[] {
  return articleBlocks(markdown).map((block, key) => {
    if (block.kind === 'heading') {
      const Tag = `h${block.level}` as const;
      return <Tag key={key}>{richText(block.text)}</Tag>;
    }
    if (block.kind === 'code') return <pre key={key}><code>{block.text}</code></pre>;
    if (block.kind === 'paragraph') return <p key={key}>{richText(block.text)}</p>;
    const items = block.items.map((item, i) => <li key={i}>{richText(item)}</li>);
    return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
  });
}

export function ArticleBody({ markdown }: { markdown: string }) {
  return <>{articleNodes(markdown)}</>;
}
