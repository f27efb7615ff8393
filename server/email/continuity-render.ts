/** The continuity email's subject, plain text and HTML, in the visitor's language: the agent replies they missed. Pure. */
import type { Locale } from '../contract/dto.ts';
import { escapeHtml } from './escape.ts';
import { fill, textDirection, VISITOR_EMAIL_TEXT } from './visitor-text.ts';

export interface MissedReply {
  authorName: string | null;
  body: string;
  /** Attachment file names, listed under the text. */
  files: string[];
}

export interface ContinuityContent {
  locale: Locale;
  siteName: string;
  /** The site's widget colour (#rrggbb), for the button and the rule. */
  color: string;
  replies: MissedReply[];
  continueUrl: string;
  unsubscribeUrl: string;
}

export function renderContinuityEmail(content: ContinuityContent): { subject: string; text: string; html: string } {
  const { locale, siteName, replies, continueUrl, unsubscribeUrl } = content;
  const text = VISITOR_EMAIL_TEXT[locale];
  const color = /^#[0-9a-f]{6}$/i.test(content.color) ? content.color : '#2563eb';
  const subject = replies.length === 1 ? fill(text.subjectOne, { site: siteName }) : fill(text.subjectMany, { site: siteName, count: replies.length });
  const who = (reply: MissedReply) => reply.authorName ?? siteName;
  const plain = [
    fill(text.intro, { site: siteName }),
    '',
    ...replies.flatMap((reply) => [`${who(reply)}:`, reply.body, ...reply.files.map((file) => `[${file}]`), '']),
    `${text.continue}: ${continueUrl}`,
    text.orReply,
    '',
    `${text.stop}: ${unsubscribeUrl}`,
  ].join('\n');
  // <bdi>: a name or message written in another direction cannot reorder the text around it.
  const bdi = (value: string) => `<bdi>${escapeHtml(value)}</bdi>`;
  const paragraphs = (body: string) => escapeHtml(body).replaceAll('\n', '<br>');
  const html = `<!doctype html>
<html lang="${locale}" dir="${textDirection(locale)}"><body style="margin:0;padding:24px;background:#f5f5f5;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111">
<div style="max-width:560px;margin:0 auto;background:#fff;border-top:4px solid ${color};border-radius:6px;padding:24px">
<h1 style="font-size:18px;margin:0 0 16px">${bdi(siteName)}</h1>
${replies
  .map(
    (reply) => `<div style="margin:0 0 16px">
<div style="font-size:13px;color:#555;margin:0 0 4px">${bdi(who(reply))}</div>
<div dir="auto" style="font-size:15px;line-height:1.5">${paragraphs(reply.body)}</div>
${reply.files.map((file) => `<div style="font-size:13px;color:#555">[${bdi(file)}]</div>`).join('\n')}
</div>`,
  )
  .join('\n')}
<p style="margin:24px 0 8px"><a href="${escapeHtml(continueUrl)}" style="display:inline-block;background:${color};color:#fff;text-decoration:none;padding:10px 16px;border-radius:4px">${escapeHtml(text.continue)}</a></p>
<p style="font-size:13px;color:#555;margin:0">${escapeHtml(text.orReply)}</p>
</div>
<p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#777"><a href="${escapeHtml(unsubscribeUrl)}" style="color:#777">${escapeHtml(text.stop)}</a></p>
</body></html>`;
  return { subject, text: plain, html };
}
