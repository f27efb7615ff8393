/** The continuity email's subject, plain text and HTML: the agent replies a visitor missed. Pure. */
import { escapeHtml } from './escape.ts';

export interface MissedReply {
  authorName: string | null;
  body: string;
  /** Attachment file names, listed under the text. */
  files: string[];
}

export interface ContinuityContent {
  siteName: string;
  /** The site's widget colour (#rrggbb), for the button and the rule. */
  color: string;
  replies: MissedReply[];
  continueUrl: string;
  unsubscribeUrl: string;
}

export function renderContinuityEmail(content: ContinuityContent): { subject: string; text: string; html: string } {
  const { siteName, replies, continueUrl, unsubscribeUrl } = content;
  const color = /^#[0-9a-f]{6}$/i.test(content.color) ? content.color : '#2563eb';
  const subject = replies.length === 1 ? `New reply from ${siteName}` : `${replies.length} new replies from ${siteName}`;
  const who = (reply: MissedReply) => reply.authorName ?? siteName;
  const text = [
    `You have ${replies.length === 1 ? 'a new reply' : `${replies.length} new replies`} from ${siteName}:`,
    '',
    ...replies.flatMap((reply) => [`${who(reply)}:`, reply.body, ...reply.files.map((file) => `[${file}]`), '']),
    `Continue the conversation: ${continueUrl}`,
    'Or simply reply to this email.',
    '',
    `Stop these emails: ${unsubscribeUrl}`,
  ].join('\n');
  const paragraphs = (body: string) => escapeHtml(body).replaceAll('\n', '<br>');
  const html = `<!doctype html>
<html><body style="margin:0;padding:24px;background:#f5f5f5;font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111">
<div style="max-width:560px;margin:0 auto;background:#fff;border-top:4px solid ${color};border-radius:6px;padding:24px">
<h1 style="font-size:18px;margin:0 0 16px">${escapeHtml(siteName)}</h1>
${replies
  .map(
    (reply) => `<div style="margin:0 0 16px">
<div style="font-size:13px;color:#555;margin:0 0 4px">${escapeHtml(who(reply))}</div>
<div style="font-size:15px;line-height:1.5">${paragraphs(reply.body)}</div>
${reply.files.map((file) => `<div style="font-size:13px;color:#555">[${escapeHtml(file)}]</div>`).join('\n')}
</div>`,
  )
  .join('\n')}
<p style="margin:24px 0 8px"><a href="${escapeHtml(continueUrl)}" style="display:inline-block;background:${color};color:#fff;text-decoration:none;padding:10px 16px;border-radius:4px">Continue the conversation</a></p>
<p style="font-size:13px;color:#555;margin:0">Or simply reply to this email.</p>
</div>
<p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#777"><a href="${escapeHtml(unsubscribeUrl)}" style="color:#777">Stop these emails</a></p>
</body></html>`;
  return { subject, text, html };
}
