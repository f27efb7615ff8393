import { describe, expect, it } from 'vitest';
import { FrontMatterError, parseArticleFile } from '../../../server/domain/front-matter.ts';

describe('article front matter', () => {
  it('reads title, tags and published, and returns the body after the block', () => {
    const file = '\uFEFF---\r\ntitle: "Reset: your password"\r\ntags: [account, "log in"]\r\npublished: false\r\n---\r\n# Steps\r\nOpen Settings.\r\n';
    expect(parseArticleFile(file)).toEqual({ meta: { title: 'Reset: your password', tags: ['account', 'log in'], published: false }, body: '# Steps\r\nOpen Settings.' });
  });

  it('takes draft as the opposite of published, a bare list, comments and blank lines', () => {
    expect(parseArticleFile('---\n# note\n\ndraft: true\ntags: a, b\n---\nx').meta).toEqual({ published: false, tags: ['a', 'b'] });
  });

  it('treats a file without a block as all body', () => {
    expect(parseArticleFile('Just text\n---\nmore')).toEqual({ meta: {}, body: 'Just text\n---\nmore' });
  });

  it('refuses unknown keys, bad booleans, nested lists and lines that are not key: value', () => {
    expect(() => parseArticleFile('---\nauthor: me\n---\n')).toThrow(FrontMatterError);
    expect(() => parseArticleFile('---\npublished: yes\n---\n')).toThrow(/line 1: expected true or false/);
    expect(() => parseArticleFile('---\ntags: [[a]]\n---\n')).toThrow(/tags must be/);
    expect(() => parseArticleFile('---\ntitle: x\n- item\n---\n')).toThrow(/line 2/);
  });
});
