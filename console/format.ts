/** How the console names visitors, words system events and failures, and writes times and durations. */
import { useEffect, useState } from 'preact/hooks';
import type { ConversationSummaryDTO, MessageDTO, SystemEvent } from '../server/contract/dto.ts';
import type { ErrorCode } from '../server/contract/errors.ts';
import { systemText as sharedSystemText } from '../client/system-text.ts';
import { AckError } from '../client/request.ts';
import { locale, t } from './i18n.ts';

export function visitorLabel({ visitor }: Pick<ConversationSummaryDTO, 'visitor'>): string {
  return visitor.name ?? visitor.email ?? t('visitor', { id: visitor.id.slice(-6) });
}

/** Whether the site vouched for what visitorLabel shows: a typed name or email is never shown as verified. */
export function visitorLabelVerified({ visitor }: Pick<ConversationSummaryDTO, 'visitor'>): boolean {
  if (visitor.name !== null) return visitor.nameVerified;
  return visitor.email !== null && visitor.emailVerified;
}

export function systemText(event: SystemEvent): string {
  return sharedSystemText(event, t);
}

export function messagePreview(message: MessageDTO | null): string {
  if (!message) return t('noMessages');
  if (message.system) return systemText(message.system);
  if (!message.body && message.attachments.length > 0) return t('filesPreview', { names: message.attachments.map((a) => a.fileName).join(', ') });
  return message.body;
}

/** The code of a refused command (AckError), or INTERNAL for anything else. */
export function failureOf(error: unknown): ErrorCode | 'TIMEOUT' {
  return error instanceof AckError ? error.code : 'INTERNAL';
}

export function failureText(code: ErrorCode | 'TIMEOUT' | 'NETWORK'): string {
  switch (code) {
    case 'ALREADY_ASSIGNED':
    case 'NOT_QUEUED':
      return t('alreadyAssigned');
    case 'AGENT_AT_CAPACITY':
      return t('atCapacity');
    case 'AGENT_UNAVAILABLE':
      return t('agentUnavailable');
    case 'CONVERSATION_RESOLVED':
      return t('conversationResolved');
    case 'FORBIDDEN':
      return t('forbidden');
    case 'TIMEOUT':
    case 'NETWORK':
      return t('noAnswer');
    default:
      return t('actionFailed', { code });
  }
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h": for waits and report figures. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('durationS', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('durationM', { m });
  const h = Math.floor(m / 60);
  if (h < 24) return t('durationHM', { h, m: m % 60 });
  return t('durationDH', { d: Math.floor(h / 24), h: h % 24 });
}

export const timeFormat = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
export const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The current time, re-rendering the component every `everyMs`. */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
