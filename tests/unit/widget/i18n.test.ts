/** Which language the widget and the console pick, and the widget's dictionaries: complete, same placeholders. */
import { describe, expect, it } from 'vitest';
import { frameDictionaries, frameTranslator } from '../../../widget/frame/i18n.ts';
import { LOCALES, pickLocale, translator } from '../../../client/i18n.ts';

describe('pickLocale', () => {
  it("takes the first of the browser's languages that it speaks, matched on the language alone", () => {
    expect(pickLocale(['ar-EG', 'en-US'], LOCALES)).toBe('ar');
    expect(pickLocale(['fr-FR', 'ar', 'en'], LOCALES)).toBe('ar');
    expect(pickLocale(['de', 'zh-TW', 'ar'], LOCALES)).toBe('zh-CN');
    expect(pickLocale(['en-GB', 'ar'], LOCALES)).toBe('en');
  });

  it('falls back to English for languages it does not speak, or none', () => {
    expect(pickLocale(['fr-FR', 'de'], LOCALES)).toBe('en');
    expect(pickLocale([], LOCALES)).toBe('en');
    // Another language that merely starts with the same letters.
    expect(pickLocale(['arn', 'zha'], LOCALES)).toBe('en');
  });

  it('reads what a page passes to Parley.setLocale, in any case', () => {
    expect(pickLocale(['AR'], LOCALES)).toBe('ar');
    expect(pickLocale(['zh-cn'], LOCALES)).toBe('zh-CN');
    expect(pickLocale(['en'], LOCALES)).toBe('en');
    expect(pickLocale([''], LOCALES)).toBe('en');
  });

  it('picks only among the languages offered: the console has no Arabic', () => {
    expect(pickLocale(['ar', 'zh-CN'], ['en', 'zh-CN'])).toBe('zh-CN');
    expect(pickLocale(['ar'], ['en', 'zh-CN'])).toBe('en');
  });
});

describe('translator', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator({ en: { hello: 'Hello {name}, {missing}' } }, 'en');
    expect(t('hello', { name: 'Zoe' })).toBe('Hello Zoe, {missing}');
  });
});

describe('the chat frame in every language', () => {
  const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
  const english = frameDictionaries.en;

  it.each(LOCALES)('%s has every string, with the same placeholders as English', (locale) => {
    const dictionary = frameDictionaries[locale];
    expect(Object.keys(dictionary).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(dictionary)) {
      expect(text.trim(), `${locale}.${key}`).not.toBe('');
      expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(english[key as keyof typeof english]));
    }
  });

  it('says which way each language is written', () => {
    expect(LOCALES.map((locale) => frameTranslator(locale)('dir'))).toEqual(['ltr', 'ltr', 'rtl']);
  });

  it('isolates names and addresses inside Arabic sentences, so left-to-right ones keep their order', () => {
    const t = frameTranslator('ar');
    expect(t('agentTyping', { name: 'Zoe B.' })).toBe('\u2068Zoe B.\u2069 يكتب…');
    expect(t('replyByEmail', { email: 'ola@example.no' })).toBe('سنرسل الرد إلى \u2068ola@example.no\u2069.');
    expect(t('queuePosition', { position: 3 })).toBe('ترتيبك في قائمة الانتظار: 3.');
  });
});
