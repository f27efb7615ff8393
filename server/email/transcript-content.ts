/**
 * A conversation's transcript as an email: plain text and HTML (every piece of user text escaped), what the
 * visitor and the agents said, with times in UTC. System lines and private notes are left out.
 */
import type { MessageDTO } from '../contract/dto.ts';

export interface TranscriptContent {
  subject: string;
  text: string;
  html: string;
}

export function transcriptContent(teamName: string, messages: readonly MessageDTO[]): TranscriptContent {
  const said = messages.filter((m) => m.authorKind === 'visitor' || m.authorKind === 'agent');
  const lines = said.map((m) => ({
    at: utc(m.createdAt),
    author: m.authorKind === 'visitor' ? 'You' : (m.authorName ?? teamName),
    body: m.body,
    files: m.attachments.map((a) => a.fileName),
  }));
  const subject = `Your conversation with ${teamName}`;
  const text = [
    `${subject}\n`,
    ...lines.map((l) => `[${l.at}] ${l.author}:\n${l.body}${l.files.map((f) => `\n(attachment: ${f})`).join('')}\n`),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1d2330">
<h1 style="font-size:18px">${escapeHtml(subject)}</h1>
${lines
  .map(
    (l) => `<p style="margin:0 0 12px"><strong>${escapeHtml(l.author)}</strong> <span style="color:#6b7280">${escapeHtml(l.at)}</span><br>${escapeHtml(l.body).replace(/\n/g, '<br>')}${l.files
      .map((f) => `<br><em>attachment: ${escapeHtml(f)}</em>`)
      .join('')}</p>`,
  )
  .join('\n')}
</body></html>`;
  return { subject, text, html };
}

const utc = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
