import { describe, expect, it } from 'vitest';
import { articleBlocks, articleNodes } from '../../../client/article-markdown.tsx';
import { toHtml } from '../../../server/http/vnode-html.ts';

describe('article Markdown', () => {
  it('splits headings, paragraphs, lists and fenced code into blocks', () => {
    const markdown = '# Title\n\nOne\nline\n\n- a\n- b\n1. first\n2) second\n\n```\n<b>x</b>\n```\n### Deep';
    expect(articleBlocks(markdown)).toEqual([
      { kind: 'heading', level: 2, text: 'Title' },
      { kind: 'paragraph', text: 'One line' },
      { kind: 'list', ordered: false, items: ['a', 'b'] },
      { kind: 'list', ordered: true, items: ['first', 'second'] },
      { kind: 'code', text: '<b>x</b>' },
      { kind: 'heading', level: 4, text: 'Deep' },
    ]);
  });

  it('renders inline text with the chat renderer and escapes everything else', () => {
    const html = toHtml(articleNodes('Use **bold** and [docs](https://docs.example.com/a?b=1&c="2")\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))'));
    expect(html).toBe(
      '<p>Use <strong>bold</strong> and <a href="https://docs.example.com/a?b=1&#38;c=%222%22" target="_blank" rel="noopener noreferrer nofollow ugc" dir="auto">docs</a></p>' +
        '<p>&#60;script&#62;alert(1)&#60;/script&#62;</p>' +
        '<p>[x](javascript:alert(1))</p>',
    );
  });

  it('refuses to serialise an element the article renderer never makes', () => {
    expect(() => toHtml({ type: 'img', props: { src: 'x' } } as never)).toThrow(/not an article element/);
  });
});
