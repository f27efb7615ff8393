import { describe, expect, it } from 'vitest';
import { renderContinuityEmail } from '../../../server/email/continuity-render.ts';
import { emailLocale } from '../../../server/email/visitor-text.ts';

const content = {
  siteName: 'Shop <b>&</b>',
  color: '#0f766e',
  replies: [
    { authorName: 'Zoe "Z"', body: 'Line one\n<img src=x onerror=alert(1)>', files: ['invoice<1>.pdf'] },
    { authorName: null, body: 'Second', files: [] },
  ],
  continueUrl: 'https://chat.example/c/abc',
  unsubscribeUrl: 'https://chat.example/api/email/unsubscribe/def',
};

describe('continuity email', () => {
  it('escapes every user string in the HTML and keeps the text plain', () => {
    const { subject, text, html } = renderContinuityEmail({ ...content, locale: 'en' });
    expect(subject).toBe('2 new replies from Shop <b>&</b>');
    expect(text).toContain('Zoe "Z":\nLine one\n<img src=x onerror=alert(1)>\n[invoice<1>.pdf]');
    expect(text).toContain('Shop <b>&</b>:\nSecond'); // no agent name: the site's
    expect(text).toContain('Continue the conversation: https://chat.example/c/abc');
    expect(html).toContain('Line one<br>&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<bdi>Shop &lt;b&gt;&amp;&lt;/b&gt;</bdi>');
    expect(html).toContain('<bdi>Zoe &quot;Z&quot;</bdi>');
    expect(html).toContain('[<bdi>invoice&lt;1&gt;.pdf</bdi>]');
    expect(html).not.toMatch(/<img|<b>/);
    expect(html).toContain('border-top:4px solid #0f766e');
  });

  it('speaks the visitor language, right to left in Arabic, and never takes a colour that is not #rrggbb', () => {
    const zh = renderContinuityEmail({ ...content, locale: 'zh-CN', replies: content.replies.slice(0, 1) });
    expect(zh.subject).toBe('Shop <b>&</b> 有新回复');
    expect(zh.html).toContain('>继续对话</a>');
    const ar = renderContinuityEmail({ ...content, locale: 'ar', color: 'red;background:url(x)' });
    expect(ar.html).toContain('<html lang="ar" dir="rtl">');
    expect(ar.html).toContain('متابعة المحادثة');
    expect(ar.html).not.toContain('url(x)');
  });

  it('picks the first language it speaks, else English', () => {
    expect(emailLocale([null, 'zh-TW'])).toBe('zh-CN');
    expect(emailLocale(['ar', 'en-US'])).toBe('ar');
    expect(emailLocale(['de-DE', null])).toBe('en');
    expect(emailLocale([])).toBe('en');
  });
});
