/** The languages the widget and the console speak, and a tiny translator over a dictionary per language. */
import type { WidgetSettings } from '../../server/contract/dto.ts';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

/** A site's setting wins; otherwise the browser's first language we speak; otherwise English. */
export function pickLocale(languages: readonly string[], setting: WidgetSettings['locale'] = 'auto'): Locale {
  if (setting !== 'auto') return setting;
  const spoken = languages.find((language) => /^(en|zh)\b/i.test(language));
  return spoken && /^zh/i.test(spoken) ? 'zh-CN' : 'en';
}

export type Translate<K extends string> = (key: K, params?: Record<string, string | number>) => string;

/** `t('queuePosition', { position: 2 })` fills `{position}` in the chosen language's string. */
export function translator<K extends string>(dictionaries: Record<Locale, Record<K, string>>, locale: Locale): Translate<K> {
  const dictionary = dictionaries[locale];
  return (key, params) => dictionary[key].replace(/\{(\w+)\}/g, (placeholder, name: string) => String(params?.[name] ?? placeholder));
}
