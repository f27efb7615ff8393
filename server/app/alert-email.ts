/** The subject and body of an alert email to an agent (plain text and the same as simple HTML). */
import type { AlertKind } from '../contract/alerts.ts';
import type { ConversationDTO } from '../contract/dto.ts';
import type { SiteRecord } from './ports.ts';

export interface AlertContent {
  site: SiteRecord;
  conversation: ConversationDTO;
  /** The visitor's words, clipped; null when none or kept out (alertsWithoutMessageText). */
  text: string | null;
  visitorName: string | null;
  /** False on a site that keeps names and text out of alerts: ids only. */
  withText: boolean;
}

const SUBJECTS: Record<AlertKind, string> = {
  queueWait: 'A visitor is waiting',
  visitorMessage: 'A visitor wrote to you',
  transfer: 'A conversation was transferred to you',
  escalation: 'A visitor is still waiting',
  offlineMessage: 'A visitor left a message',
};

export function alertEmail(kind: AlertKind, content: AlertContent, consoleUrl: string | null): { subject: string; text: string; html: string } {
  const { site, conversation } = content;
  const where = content.withText ? `${SUBJECTS[kind]} on ${site.name}` : SUBJECTS[kind];
  const subject = content.withText ? where : `${SUBJECTS[kind]} (conversation ${conversation.id})`;
  const link = consoleUrl ? `${consoleUrl}#conversation=${conversation.id}` : null;
  const lines = [
    `${where}.`,
    ...(content.visitorName ? [`Visitor: ${content.visitorName}`] : []),
    ...(content.text ? ['', content.text, ''] : []),
    `Conversation: ${conversation.id}`,
    `Queued at: ${conversation.queuedAt}`,
  ];
  const text = [...lines, ...(link ? [`Open it: ${link}`] : [])].join('\n');
  const html = [...lines.map(escapeHtml), ...(link ? [`<a href="${escapeHtml(link)}">Open it in the console</a>`] : [])].join('<br>\n');
  return { subject, text, html: `<p>${html}</p>` };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
