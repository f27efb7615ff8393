/** The conversation as a plain-text file the visitor downloads, built from the history on screen. */
import type { MessageDTO } from '../../server/contract/dto.ts';
import type { Locale, Translate } from '../../client/i18n.ts';
import type { FrameText } from './i18n.ts';
import { systemText } from '../../client/system-text.ts';

export function transcriptText(messages: readonly MessageDTO[], teamName: string, locale: Locale, t: Translate<FrameText>): string {
  const time = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const lines = messages.map((message) => {
    const at = time.format(new Date(message.createdAt));
    if (message.system) return `[${at}] ${systemText(message.system, t)}`;
    const author = message.authorKind === 'visitor' ? t('you') : (message.authorName ?? t('agent'));
    const files = message.attachments.map((file) => `\n  ${t('attachment')}: ${file.fileName} (${new URL(file.url, location.origin).href})`);
    return `[${at}] ${author}: ${message.body}${files.join('')}`;
  });
  return `${t('transcriptTitle', { team: teamName })}\n\n${lines.join('\n')}\n`;
}

export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  link.click();
  // The click starts the download synchronously; the URL is no longer needed after this task.
  setTimeout(() => URL.revokeObjectURL(url));
}
