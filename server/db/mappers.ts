/** Database rows to wire DTOs. Json columns are parsed defensively: a bad stored value never crashes a read. */
import type { AgentPublicDTO, AttachmentDTO, ConversationDTO, MessageDTO, SystemEvent, VisitorDTO, VisitorSummary, WidgetSettings } from '../contract/dto.ts';
import type { SiteRecord } from '../app/ports.ts';
import { withDefaults } from '../contract/defaults.ts';
import type { Conversation, Message, Site, Visitor } from './generated/sqlite/client.ts';

export const assigneeSelect = { select: { id: true, name: true, avatarUrl: true, role: true } } as const;
/** A conversation read with its assignee, as toConversationDTO takes it. */
export const withAssignee = { assignee: assigneeSelect } as const;

/** An assignee as visitors and agents see it; a bot is marked so clients can say so. */
export function publicAssignee(a: { id: string; name: string; avatarUrl: string | null; role: string | null }): AgentPublicDTO {
  return { id: a.id, name: a.name, avatarUrl: a.avatarUrl, ...(a.role === 'bot' && { bot: true as const }) };
}

/** What a conversation's DTO is made of: its columns (bar bookkeeping ones) and its assignee. */
export type ConversationRow = Omit<Conversation, 'assigneeId' | 'openingClientId' | 'createdAt' | 'updatedAt'> & {
  assignee: { id: string; name: string; avatarUrl: string | null; role: string | null } | null;
};

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function toSiteRecord(row: Site): SiteRecord {
  return {
    id: row.id,
    name: row.name,
    publicKey: row.publicKey,
    allowedOrigins: asStringArray(row.allowedOrigins),
    widgetSettings: withDefaults(asObject(row.widgetSettings) as Partial<WidgetSettings>),
    identityRequired: row.identityRequired,
    identitySecret: row.identitySecret,
    visitorKeyVersion: row.visitorKeyVersion,
  };
}

export function toVisitorDTO(row: Visitor): VisitorDTO {
  return {
    id: row.id,
    siteId: row.siteId,
    name: row.name,
    email: row.email,
    verified: row.externalId !== null,
    nameVerified: row.nameVerified,
    emailVerified: row.emailVerified,
    externalId: row.externalId,
    attributes: asObject(row.attributes),
    locale: row.locale,
    timezone: row.timezone,
    userAgent: row.userAgent,
    referrer: row.referrer,
    pageUrl: row.pageUrl,
    pageTitle: row.pageTitle,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
  };
}

export const visitorSummarySelect = { id: true, name: true, email: true, externalId: true, nameVerified: true, emailVerified: true } as const;

export function toVisitorSummary(row: Pick<Visitor, keyof typeof visitorSummarySelect>): VisitorSummary {
  const { id, name, email, nameVerified, emailVerified } = row;
  return { id, name, email, verified: row.externalId !== null, nameVerified, emailVerified };
}

export function toConversationDTO(row: ConversationRow): ConversationDTO {
  return {
    id: row.id,
    siteId: row.siteId,
    visitorId: row.visitorId,
    status: row.status,
    assignee: row.assignee ? publicAssignee(row.assignee) : null,
    queuedAt: row.queuedAt.toISOString(),
    assignedAt: iso(row.assignedAt),
    firstResponseAt: iso(row.firstResponseAt),
    resolvedAt: iso(row.resolvedAt),
    lastSeq: row.lastSeq,
    visitorReadSeq: row.visitorReadSeq,
    agentReadSeq: row.agentReadSeq,
    rating: row.rating,
    ratingComment: row.ratingComment,
  };
}

function parseSystemEvent(body: string): SystemEvent | null {
  try {
    const value = JSON.parse(body) as unknown;
    return value !== null && typeof value === 'object' && 'type' in value ? (value as SystemEvent) : null;
  } catch {
    return null;
  }
}

export function toMessageDTO(row: Message, authorName: string | null, attachments: AttachmentDTO[]): MessageDTO {
  const system = row.authorKind === 'system' ? parseSystemEvent(row.body) : null;
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: row.seq,
    authorKind: row.authorKind,
    authorId: row.authorId,
    authorName,
    body: system ? '' : row.body,
    system,
    clientId: row.clientId,
    attachments,
    createdAt: row.createdAt.toISOString(),
  };
}
