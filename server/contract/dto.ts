/** Wire shapes shared by server, widget and console. Dates travel as ISO 8601 strings. */

export type ConversationStatus = 'queued' | 'active' | 'resolved';
export type AuthorKind = 'visitor' | 'agent' | 'system' | 'note';
/** A bot is an agent row of role 'bot': it holds conversations like an agent and never signs in. */
export type AgentRole = 'admin' | 'agent' | 'bot';
/** What the agent chose; `online` below says whether any of their sockets is connected. */
export type AgentStatus = 'online' | 'away' | 'offline';

/** A system line in a transcript: clients render it in their own language. */
export type SystemEvent =
  | { type: 'assigned'; agentId: string; agentName: string }
  | { type: 'transferred'; fromAgentId: string | null; agentId: string; agentName: string }
  | { type: 'unassigned'; fromAgentId: string | null }
  | { type: 'requeued'; fromAgentId: string; reason: 'agent_left' }
  /** A bot gave the conversation to people (server/bots/ports.ts HandoffReason). */
  | { type: 'handed_off'; fromAgentId: string; reason: 'visitor-asked' | 'bot-asked' | 'not-covered' | 'error' | 'timeout' }
  | { type: 'resolved'; byAgentId: string | null }
  | { type: 'reopened'; byAgentId: string; agentName: string };

/** A file attached to a message. `url` is a signed link that expires; fetch a fresh one with the message. */
export interface AttachmentDTO {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  /** True for images the clients may preview inline. */
  image: boolean;
  url: string;
}

export interface MessageDTO {
  id: string;
  conversationId: string;
  /** Per-conversation sequence number, starting at 1. Notes use sequence numbers too, so visitors see gaps. */
  seq: number;
  authorKind: AuthorKind;
  authorId: string | null;
  /** Display name of the author (agent name, visitor name) when known. */
  authorName: string | null;
  body: string;
  /** Set on system messages instead of a human-readable body. */
  system: SystemEvent | null;
  clientId: string | null;
  attachments: AttachmentDTO[];
  createdAt: string;
}

/** What a visitor may know about an agent. */
export interface AgentPublicDTO {
  id: string;
  name: string;
  avatarUrl: string | null;
  /** Present when the assignee is a bot: the widget offers "Talk to a person", the console shows a Bot badge. */
  bot?: true;
}

export interface ConversationDTO {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  assignee: AgentPublicDTO | null;
  queuedAt: string;
  assignedAt: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  lastSeq: number;
  /** Read receipts: the highest seq each side has seen. */
  visitorReadSeq: number;
  agentReadSeq: number;
  rating: number | null;
  ratingComment: string | null;
}

/** Where the visitor is, as the widget reports it. */
export interface VisitorContext {
  locale: string | null;
  timezone: string | null;
  userAgent: string | null;
  referrer: string | null;
  pageUrl: string | null;
  pageTitle: string | null;
}

export interface PageViewDTO {
  url: string;
  title: string | null;
  at: string;
}

export interface VisitorDTO extends VisitorContext {
  id: string;
  siteId: string;
  name: string | null;
  email: string | null;
  /** True when the site verified this visitor's user id (`externalId`) with its HMAC secret. */
  verified: boolean;
  /** True when the site also signed the name / email shown (identify's `profileHash`); false when the visitor typed it. */
  nameVerified: boolean;
  emailVerified: boolean;
  externalId: string | null;
  attributes: Record<string, unknown>;
  createdAt: string;
  lastSeenAt: string;
}

/**
 * `visitor:updated`: only what changed. `attributes` holds just the changed keys, with null for a removed one;
 * the console merges it into the visitor it has.
 */
export type VisitorChange = Pick<VisitorDTO, 'id' | 'siteId'> &
  Partial<Omit<VisitorDTO, 'id' | 'siteId' | 'attributes'>> & { attributes?: Record<string, unknown> };

/** What the console lists of a conversation's visitor. */
export type VisitorSummary = Pick<VisitorDTO, 'id' | 'name' | 'email' | 'verified' | 'nameVerified' | 'emailVerified'>;

/** A conversation as the console lists it. */
export interface ConversationSummaryDTO extends ConversationDTO {
  visitor: VisitorSummary;
  lastMessage: MessageDTO | null;
  labels: string[];
}

export interface AgentDTO {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  capacity: number;
  status: AgentStatus;
  /** At least one console connection is open. */
  connected: boolean;
  /** Active conversations assigned now. */
  load: number;
  active: boolean;
  avatarUrl: string | null;
}

/** A colleague as an agent sees them: the email only for admins, and in one's own record. */
export type TeamMemberDTO = Omit<AgentDTO, 'email'> & { email?: string };

export interface QueuePositionDTO {
  conversationId: string;
  /** 1 = next to be assigned. */
  position: number;
  /** Estimated time to assignment from recent assignments; null when there is no basis for a guess. */
  estimatedWaitMs: number | null;
  /** False when no agent who serves this site is online: the message is kept and waits for the next agent. */
  agentsOnline: boolean;
}

export interface HistoryPage {
  messages: MessageDTO[];
  /** More messages exist beyond this page in the direction asked. */
  hasMore: boolean;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Opening hours in the site's time zone; a day missing from `days` is closed. Times are "HH:MM". */
export interface BusinessHours {
  enabled: boolean;
  timezone: string;
  days: Partial<Record<Weekday, { open: string; close: string }>>;
}

export interface PrechatSettings {
  enabled: boolean;
  nameRequired: boolean;
  emailRequired: boolean;
}

/** The languages the widget speaks (BCP 47 tags); `ar` is written right to left. */
export const LOCALES = ['en', 'zh-CN', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

export interface WidgetSettings {
  color: string;
  position: 'right' | 'left';
  /** Pixels from the page edges. */
  offsetX: number;
  offsetY: number;
  zIndex: number;
  teamName: string;
  greeting: string;
  /** `auto`: the visitor's browser languages decide. */
  locale: 'auto' | Locale;
  prechat: PrechatSettings;
  businessHours: BusinessHours;
  /** What the widget says when nobody can answer now; empty means the built-in text. */
  offlineMessage: string;
  /** Agents see what the visitor is typing before it is sent; the widget tells the visitor. */
  typingPreview: boolean;
  /** Agents (not only admins) may see the All view. */
  agentsSeeAll: boolean;
  /** An agent message the visitor has not seen after this many minutes is emailed to them (when email is on). */
  emailAfterMinutes: number;
  /** Messages left through the offline form are emailed to the site's agents (when email is on). */
  emailOfflineMessagesToAgents: boolean;
  /** A queued conversation nobody has claimed after this many seconds alerts the site's agents. */
  alertAfterSeconds: number;
  /** Still waiting after this many minutes: email the site's agents; 0 turns it off. */
  escalateToAgentsAfterMinutes: number;
  /** Still waiting after this many minutes: email the admins; 0 turns it off. */
  escalateToAdminsAfterMinutes: number;
  /** Push and email alerts carry no message text, only that a visitor is waiting and where. */
  alertsWithoutMessageText: boolean;
}

export interface CannedResponseDTO {
  id: string;
  /** null: available on every site. */
  siteId: string | null;
  shortcut: string;
  title: string;
  body: string;
}

export interface SiteDTO {
  id: string;
  name: string;
  publicKey: string;
  allowedOrigins: string[];
  widgetSettings: WidgetSettings;
  identityRequired: boolean;
}
