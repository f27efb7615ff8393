/** What visitors read in email and on the unsubscribe page, in each language the widget speaks. */
import { LOCALES, type Locale } from '../contract/dto.ts';

const en = {
  subjectOne: 'New reply from {site}',
  subjectMany: '{count} new replies from {site}',
  intro: 'New replies from {site}:',
  continue: 'Continue the conversation',
  orReply: 'Or simply reply to this email.',
  stop: 'Stop these emails',
  confirmTitle: 'Stop emails',
  confirmQuestion: 'Stop receiving emails about your conversations?',
  confirmButton: 'Unsubscribe',
  doneTitle: 'Unsubscribed',
  doneText: 'You will not receive any more emails about your conversations.',
  invalidTitle: 'Link not valid',
  invalidText: 'This unsubscribe link is not valid. Use the link from your most recent email.',
};

export type VisitorEmailText = typeof en;

export const VISITOR_EMAIL_TEXT: Record<Locale, VisitorEmailText> = {
  en,
  'zh-CN': {
    subjectOne: '{site} 有新回复',
    subjectMany: '{site} 有 {count} 条新回复',
    intro: '{site} 的新回复：',
    continue: '继续对话',
    orReply: '也可以直接回复此邮件。',
    stop: '不再接收此类邮件',
    confirmTitle: '停止接收邮件',
    confirmQuestion: '不再接收关于您的会话的邮件？',
    confirmButton: '退订',
    doneTitle: '已退订',
    doneText: '您将不会再收到关于您的会话的邮件。',
    invalidTitle: '链接无效',
    invalidText: '此退订链接无效。请使用最近一封邮件中的链接。',
  },
  ar: {
    subjectOne: 'رد جديد من {site}',
    subjectMany: 'ردود جديدة من {site}: {count}',
    intro: 'ردود جديدة من {site}:',
    continue: 'متابعة المحادثة',
    orReply: 'أو رُدّ على هذه الرسالة مباشرةً.',
    stop: 'إيقاف هذه الرسائل',
    confirmTitle: 'إيقاف الرسائل',
    confirmQuestion: 'هل تريد التوقف عن تلقي رسائل البريد الإلكتروني المتعلقة بمحادثاتك؟',
    confirmButton: 'إلغاء الاشتراك',
    doneTitle: 'تم إلغاء الاشتراك',
    doneText: 'لن تتلقى بعد الآن أي رسائل بريد إلكتروني تتعلق بمحادثاتك.',
    invalidTitle: 'الرابط غير صالح',
    invalidText: 'رابط إلغاء الاشتراك هذا غير صالح. استخدم الرابط الوارد في أحدث رسالة وصلتك.',
  },
};

/** The first of these language tags (a site's fixed locale, the visitor's browser language…) that we speak; else English. */
export function emailLocale(tags: readonly (string | null | undefined)[]): Locale {
  for (const tag of tags) {
    const language = tag?.split('-')[0]?.toLowerCase();
    const spoken = LOCALES.find((locale) => locale.split('-')[0]!.toLowerCase() === language);
    if (spoken) return spoken;
  }
  return 'en';
}

export const textDirection = (locale: Locale): 'rtl' | 'ltr' => (locale === 'ar' ? 'rtl' : 'ltr');

/** Fills `{name}` placeholders. */
export function fill(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => String(params[name] ?? placeholder));
}
