/** The safe text renderer shared by the console and the widget, and the console's User-Agent parser. */
import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { parseUserAgent } from '../../../console/ua.ts';
import { richText, safeHref } from '../../../client/rich-text.tsx';

/** A compact picture of the nodes: strings as they are, elements as [tag, props of interest, children]. */
function shape(nodes: unknown[]): unknown[] {
  return nodes.map((node) => {
    if (typeof node === 'string') return node;
    const vnode = node as VNode<{ children?: unknown; href?: string; rel?: string; target?: string }>;
    const children = vnode.props.children;
    const list = Array.isArray(children) ? children : [children];
    const attrs = vnode.type === 'a' ? { href: vnode.props.href, rel: vnode.props.rel, target: vnode.props.target } : {};
    return [vnode.type, attrs, shape(list)];
  });
}

describe('richText', () => {
  it('leaves plain text and HTML alone, as text', () => {
    expect(shape(richText('plain words'))).toEqual(['plain words']);
    expect(shape(richText('<img src=x onerror=alert(1)> <b>hi</b>'))).toEqual(['<img src=x onerror=alert(1)> <b>hi</b>']);
  });

  it('renders bold, italic and inline code', () => {
    expect(shape(richText('a **bold** b *it* c _it2_ d `x < y`'))).toEqual([
      'a ',
      ['strong', {}, ['bold']],
      ' b ',
      ['em', {}, ['it']],
      ' c ',
      ['em', {}, ['it2']],
      ' d ',
      ['code', {}, ['x < y']],
    ]);
  });

  it('nests emphasis inside bold, but not markup inside code', () => {
    expect(shape(richText('**very *much* so**'))).toEqual([['strong', {}, ['very ', ['em', {}, ['much']], ' so']]]);
    expect(shape(richText('`**not bold**`'))).toEqual([['code', {}, ['**not bold**']]]);
  });

  it('does not treat snake_case or arithmetic as emphasis', () => {
    expect(shape(richText('my_var_name and 2*3*4'))).toEqual(['my_var_name and 2*3*4']);
  });

  it('links bare URLs without trailing punctuation, opening safely', () => {
    const rel = 'noopener noreferrer nofollow ugc';
    expect(shape(richText('see https://example.com/a?b=1.'))).toEqual([
      'see ',
      ['a', { href: 'https://example.com/a?b=1', rel, target: '_blank' }, ['https://example.com/a?b=1']],
      '.',
    ]);
    expect(shape(richText('[docs](https://example.com/docs)'))).toEqual([['a', { href: 'https://example.com/docs', rel, target: '_blank' }, ['docs']]]);
  });

  it('never links javascript:, data: or other schemes', () => {
    expect(shape(richText('[click](javascript:alert(1))'))).toEqual(['[click](javascript:alert(1))']);
    expect(shape(richText('[x](data:text/html,hi)'))).toEqual(['[x](data:text/html,hi)']);
    expect(safeHref('JaVaScRiPt:alert(1)')).toBeNull();
    expect(safeHref('mailto:a@b.test')).toBe('mailto:a@b.test');
  });

  it('ends a bare link at an invisible or bidi-control character, and isolates links from the text around them', () => {
    const rel = 'noopener noreferrer nofollow ugc';
    expect(shape(richText('https://ok.test\u200B.evil.test/login'))).toEqual([['a', { href: 'https://ok.test/', rel, target: '_blank' }, ['https://ok.test']], '\u200B.evil.test/login']);
    expect(shape(richText('https://evil.test/\u202Etxt.exe'))).toEqual([['a', { href: 'https://evil.test/', rel, target: '_blank' }, ['https://evil.test/']], '\u202Etxt.exe']);
    const [bare] = richText('\u202Ehttps://evil.test/moc.elpmaxe').slice(1) as VNode<{ dir?: string }>[];
    const [labelled] = richText('[docs](https://example.com/docs)') as VNode<{ dir?: string }>[];
    expect([bare!.props.dir, labelled!.props.dir]).toEqual(['auto', 'auto']);
  });
});

describe('parseUserAgent', () => {
  it.each([
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36', 'Chrome 120', 'Windows 10/11', false],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91', 'Edge 120', 'Windows 10/11', false],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15', 'Safari 17', 'macOS 10.15', false],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1', 'Safari 17', 'iOS 17.1', true],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'Firefox 121', 'Linux', false],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36', 'Chrome 120', 'Android 14', true],
    ['Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0 Mobile Safari/537.36 MicroMessenger/8.0.44', 'WeChat 8', 'Android 13', true],
  ])('%s', (ua, browser, os, mobile) => {
    expect(parseUserAgent(ua)).toEqual({ browser, os, mobile });
  });

  it('knows nothing about nothing', () => {
    expect(parseUserAgent(null)).toEqual({ browser: null, os: null, mobile: false });
    expect(parseUserAgent('curl/8.0')).toEqual({ browser: null, os: null, mobile: false });
  });
});
