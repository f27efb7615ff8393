/** The languages the widget and the console speak, and a tiny translator over a dictionary per language. */
import type { Locale } from '../server/contract/dto.ts';

export { LOCALES, type Locale } from '../server/contract/dto.ts';

/**
 * The first of `languages` (the browser's, a site's setting, or a `Parley.setLocale` code) that one of
 * `supported` shares the language with ("zh-TW" gets zh-CN, "ar-EG" ar); otherwise English.
 */
export function pickLocale<L extends Locale>(languages: readonly string[], supported: readonly L[]): L | 'en' {
  const language = (tag: string): string => tag.split('-')[0]!.toLowerCase();
  for (const tag of languages) {
    const spoken = supported.find((locale) => language(locale) === language(tag));
    if (spoken) return spoken;
  }
  return 'en';
}

export type Translate<K extends string> = (key: K, params?: Record<string, string | number>) => string;

/** `t('queuePosition', { position: 2 })` fills `{position}` in the chosen language's string. */
export function translator<L extends Locale, K extends string>(dictionaries: Record<L, Record<K, string>>, locale: L): Translate<K> {
  const dictionary = dictionaries[locale];
  return (key, params) => dictionary[key].replace(/\{(\w+)\}/g, (placeholder, name: string) => String(params?.[name] ?? placeholder));
}
