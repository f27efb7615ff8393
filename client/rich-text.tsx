/**
 * Message text as Preact nodes, never as HTML: bare http(s) links become links, and a small markdown
 * subset is honoured: **bold**, *italic* or _italic_, `inline code` and [text](https://link). Anything
 * else (including HTML) stays literal text. Links open in a new tab without an opener or referrer, and
 * only http, https and mailto targets become links at all. A bare link shows exactly where it goes: it ends
 * at the first invisible or bidi-control character, and every link is isolated from the text around it, so
 * neither can reorder or hide part of a URL.
 */
import type { ComponentChildren } from 'preact';

const TOKEN = new RegExp(
  [
    /`([^`\n]+)`/.source, // 1: code
    /\[([^\]\n]{1,500})\]\(([^\s()]{1,2000})\)/.source, // 2, 3: [text](url)
    /\*\*(?=\S)([^\n]*?\S)\*\*/.source, // 4: bold
    /(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/.source, // 5: italic with *
    /(?<![\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])/.source, // 6: italic with _
    /(https?:\/\/[^\s<>"\p{Cf}]*[^\s<>".,:;'!?)\]\p{Cf}])/u.source, // 7: bare link, trailing punctuation and format characters left out
  ].join('|'),
  'gu',
);

const MAX_DEPTH = 3;

/** The URL when it is safe to link to (http, https, mailto), else null. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return ['http:', 'https:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

function link(href: string, children: ComponentChildren, key: number) {
  return (
    <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow ugc" dir="auto">
      {children}
    </a>
  );
}

/** Parses `text` into strings and elements. */
export function richText(text: string, depth = 0): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  let key = 0;
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    if (start > last) out.push(text.slice(last, start));
    last = start + match[0].length;
    const [whole, code, label, url, bold, star, under, bare] = match;
    const inner = (s: string) => (depth < MAX_DEPTH ? richText(s, depth + 1) : [s]);
    if (code !== undefined) out.push(<code key={key++}>{code}</code>);
    else if (label !== undefined && url !== undefined) {
      const href = safeHref(url);
      out.push(href ? link(href, inner(label), key++) : whole);
    } else if (bold !== undefined) out.push(<strong key={key++}>{inner(bold)}</strong>);
    else if (star !== undefined || under !== undefined) out.push(<em key={key++}>{inner((star ?? under)!)}</em>);
    else if (bare !== undefined) {
      const href = safeHref(bare);
      out.push(href ? link(href, bare, key++) : bare);
    }
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function RichText({ text }: { text: string }) {
  return <>{richText(text)}</>;
}
