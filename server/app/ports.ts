/**
 * What the use cases need from the outside world. The database store (server/db) and the Socket.IO
 * notifier (server/realtime) implement these; use cases never see Prisma or Socket.IO.
 */
import type { KnowledgeBaseStore } from './knowledge-base/ports.ts';
import type { ReportBotAnswer, ReportHandoff } from './bot-report.ts';
import type { BotStore } from './bot-store.ts';
import type {
  AgentDTO,
  AgentRole,
  AgentStatus,
  AuthorKind,
  CannedResponseDTO,
  ConversationDTO,
  ConversationStatus,
  ConversationSummaryDTO,
  HistoryPage,
  MessageDTO,
  PageViewDTO,
  VisitorContext,
  QueuePositionDTO,
  SiteDTO,
  SystemEvent,
  VisitorChange,
  VisitorDTO,
  WidgetSettings,
} from '../contract/dto.ts';
import type { AccountFailures } from '../domain/sign-in-slowdown.ts';
import type { SiteAdminDTO, UpdateAgentRequest } from '../contract/admin.ts';
import type { TypingEvent } from '../contract/events.ts';
import type { AttributePatch } from '../domain/visitor-profile.ts';
import type { JobStore } from '../jobs/types.ts';
import type { EmailStore } from '../email/ports.ts';
import type { EmailDTO } from '../contract/email.ts';
import type { ApiKeyStore } from './api-key-store.ts';
import type { AttachmentStore } from './attachment-store.ts';
import type { WebhookStore } from './webhook-ports.ts';
import type { AlertStore } from './alert-ports.ts';
import type { WebhookDisabledNotice } from '../contract/events.ts';

export type { AttachmentStore, NewAttachment, SentAttachment, StoredAttachment } from './attachment-store.ts';

export interface AgentRecord extends Omit<AgentDTO, 'connected' | 'load'> {
  passwordHash: string;
  /** Site ids this agent answers for; admins answer for all. */
  siteIds: string[] | 'all';
}

export interface SiteRecord extends SiteDTO {
  identitySecret: string;
  /** Signed into visitor tokens; a token of another version is refused. */
  visitorKeyVersion: number;
}

export interface NewMessage {
  authorKind: AuthorKind;
  authorId: string | null;
  body: string;
  system?: SystemEvent;
  clientId: string | null;
  /** Uploaded by the same author and not yet sent; linked to the message in the same transaction. */
  attachmentIds?: string[];
}

export interface AppendResult {
  message: MessageDTO;
  conversation: ConversationDTO;
  /** False when a message with the same clientId already existed (an idempotent retry). */
  created: boolean;
}

/** A conversation's start; one it created comes with its summary (as agents' lists show it), read in the same transaction. */
export type StartResult = (AppendResult & { created: true; summary: ConversationSummaryDTO }) | (AppendResult & { created: false });

/** Result of a guarded state change: null when the guard failed (someone else changed it first). */
export type Guarded<T> = Promise<T | null>;

/**
 * Who may append to a conversation. The store checks it in the statement that takes the sequence number, so a
 * conversation resolved or reassigned a moment before refuses the send instead of taking it. A retry of a stored
 * message is checked too. Unset fields check nothing.
 */
export interface SendGuard {
  /** The conversation belongs to this visitor. */
  visitorId?: string;
  /** The conversation is in one of these sites. */
  siteIds?: string[] | 'all';
  /** The conversation is not resolved. */
  open?: boolean;
  /** The conversation is assigned to this agent. */
  assigneeId?: string;
}

export interface OpenConversation {
  id: string;
  siteId: string;
  visitorId: string;
  queuedAt: Date;
  assigneeId: string | null;
  assignedAt: Date | null;
}

export interface HistoryQuery {
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
  includeNotes: boolean;
}

export interface ConversationListQuery {
  statuses: ConversationStatus[];
  siteIds: string[] | 'all';
  /** Also conversations of these sites that this agent holds or held (sites that hide others' conversations). */
  heldIn?: { siteIds: string[]; agentId: string };
  assigneeId?: string;
  visitorId?: string;
  /** Matches message text, visitor name or email. */
  text?: string;
  /** Carries this label. */
  label?: string;
  limit: number;
}

/** Where a page of conversations by last change starts: after this one (a cursor), or at this time. */
export interface UpdatedPosition {
  updatedAt: Date;
  /** Set by a cursor: the last conversation of the previous page, so ties on updatedAt are neither lost nor repeated. */
  id?: string;
}

/** A page of conversations, oldest change first; `last` is where the next page starts (null: no more). */
export interface ConversationPage {
  items: ConversationSummaryDTO[];
  last: Required<UpdatedPosition> | null;
}

export interface VisitorPatch {
  /** Marks the visitor verified as this site user. */
  externalId?: string;
  name?: string;
  email?: string;
  /** Whether the site signed the name / email written with them. */
  nameVerified?: boolean;
  emailVerified?: boolean;
  /** Merged into the stored attributes; a null value removes the key. Past the stored caps: LIMIT_EXCEEDED. */
  attributes?: AttributePatch;
  context?: Partial<VisitorContext>;
}

/** A profile write: the visitor as stored, and what it changed. */
export interface VisitorWrite {
  visitor: VisitorDTO;
  change: VisitorChange;
}

export interface SiteStore {
  create(site: { name: string; allowedOrigins: string[]; widgetSettings: WidgetSettings }): Promise<SiteRecord>;
  findByKey(publicKey: string): Promise<SiteRecord | null>;
  findById(id: string): Promise<SiteRecord | null>;
  list(): Promise<SiteRecord[]>;
  setAllowedOrigins(id: string, origins: string[]): Promise<void>;
  count(): Promise<number>;
  /** Admin screens: sites with their creation time. */
  listAdmin(): Promise<SiteAdminRecord[]>;
  /** Changes the given fields; null when the site does not exist. */
  update(id: string, patch: SitePatch): Promise<SiteAdminRecord | null>;
  /** One up on the site's visitor key version; null when the site does not exist. */
  rotateVisitorKey(id: string): Promise<SiteAdminRecord | null>;
}

export interface SiteAdminRecord extends SiteRecord {
  createdAt: Date;
}

/** The stored fields of a site an update may change, typed as the admin API shows them. */
export type SitePatch = Partial<Pick<SiteAdminDTO, 'name' | 'allowedOrigins' | 'widgetSettings' | 'identityRequired' | 'identitySecret'>>;

export interface AgentStore {
  create(agent: {
    email: string;
    passwordHash: string;
    name: string;
    role: AgentRole;
    capacity: number;
    siteIds: string[];
  }): Promise<AgentRecord>;
  findByEmail(email: string): Promise<AgentRecord | null>;
  findById(id: string): Promise<AgentRecord | null>;
  list(): Promise<AgentRecord[]>;
  setStatus(id: string, status: AgentStatus): Promise<void>;
  count(): Promise<number>;
  /** Admin screens: agents with their creation time. */
  listAdmin(): Promise<AgentAdminRecord[]>;
  /** Changes the given fields (siteIds replaces the memberships); null when the agent does not exist. */
  update(id: string, patch: AgentPatch): Promise<AgentAdminRecord | null>;
  /** Wrong passwords for this account from any address (sign-in slow-down). */
  signInFailures(id: string): Promise<AccountFailures>;
  /** Counts one more wrong password at `at`, first forgetting a count whose last failure was before `forgetBefore`. */
  recordSignInFailure(id: string, at: Date, forgetBefore: Date): Promise<void>;
  /** Forgets them: the owner signed in. */
  clearSignInFailures(id: string): Promise<void>;
}

export interface AgentAdminRecord extends AgentRecord {
  createdAt: Date;
}

/** What an admin may change (UpdateAgentRequest), and the password an invitation sets. */
export type AgentPatch = UpdateAgentRequest & { passwordHash?: string };

export interface CannedStore {
  /** Every canned response, global ones included. */
  list(): Promise<CannedResponseDTO[]>;
  /** Global responses plus those of these sites. */
  forSites(siteIds: string[] | 'all'): Promise<CannedResponseDTO[]>;
  findById(id: string): Promise<CannedResponseDTO | null>;
  findByShortcut(siteId: string | null, shortcut: string): Promise<CannedResponseDTO | null>;
  create(input: Omit<CannedResponseDTO, 'id'>): Promise<CannedResponseDTO>;
  update(id: string, input: Omit<CannedResponseDTO, 'id'>): Promise<CannedResponseDTO | null>;
  delete(id: string): Promise<boolean>;
}

export interface InviteStore {
  /** Stores the hash of a new one-time token; earlier unused invites of the agent stop working. */
  create(invite: { agentId: string; tokenHash: string; expiresAt: Date }): Promise<void>;
  /** Marks a live, unused invite used and returns its agent id; null when invalid, expired or used. */
  consume(tokenHash: string, now: Date): Promise<string | null>;
  /** The agent's links not used yet stop working. */
  discardUnused(agentId: string): Promise<void>;
}

/** The timestamps of one conversation, as reports need them. */
export interface ReportConversation {
  id: string;
  siteId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  queuedAt: Date;
  assignedAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  rating: number | null;
}

export interface ReportStore {
  /** Conversations queued in [queuedFrom, queuedTo). */
  conversations(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }): Promise<ReportConversation[]>;
  /** Who sent each agent message written in [from, to), and when. */
  agentMessages(query: { from: Date; to: Date; siteId?: string }): Promise<{ authorId: string; createdAt: Date }[]>;
  /** How many messages the conversations queued in the window hold, and the bodies of up to `sample` of the newest. */
  messageVolume(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }, sample: number): Promise<{ messages: number; sampleBodies: string[] }>;
  /** Bots' handoffs of the conversations queued in the window (their system lines). */
  handoffs(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }): Promise<ReportHandoff[]>;
  /** Bots' replies in the conversations queued in the window (their BotTurn rows). */
  botAnswers(query: { queuedFrom: Date; queuedTo: Date; siteId?: string }): Promise<ReportBotAnswer[]>;
}

export interface VisitorStore {
  create(siteId: string, externalId?: string): Promise<VisitorDTO>;
  findById(id: string): Promise<VisitorDTO | null>;
  findByExternalId(siteId: string, externalId: string): Promise<VisitorDTO | null>;
  touch(id: string): Promise<void>;
  /** One guarded write: concurrent updates each merge into the other's result, and never together pass the caps. */
  update(id: string, patch: VisitorPatch): Promise<VisitorWrite>;
  /** An anonymous visitor turned out to be a known user: their conversations join that user's. */
  moveConversations(fromVisitorId: string, toVisitorId: string): Promise<void>;
  /** Records a page view and prunes all but the newest MAX_PAGE_VIEWS_KEPT, in one transaction. */
  addPageView(visitorId: string, url: string, title: string | null): Promise<void>;
  pageViews(visitorId: string, limit: number): Promise<PageViewDTO[]>;
}

export interface ConversationStore {
  /** Creates a queued conversation and its first message in one transaction. */
  start(input: { siteId: string; visitorId: string; queuedAt: Date; first: NewMessage }): Promise<StartResult>;
  findById(id: string): Promise<ConversationDTO | null>;
  summary(id: string): Promise<ConversationSummaryDTO | null>;
  /**
   * What a visitor's message without a conversation id finds: a message they already sent with `clientId` (a
   * retry), else, with `open`, their newest queued or active conversation; null when neither.
   */
  findRetryOrOpen(visitorId: string, clientId: string, open: boolean): Promise<{ retry: AppendResult } | { open: ConversationDTO } | null>;
  /** A message this visitor already sent with this clientId, in any of their conversations. */
  findVisitorMessageByClientId(visitorId: string, clientId: string): Promise<AppendResult | null>;
  listForVisitor(visitorId: string): Promise<ConversationDTO[]>;
  list(query: ConversationListQuery): Promise<ConversationSummaryDTO[]>;
  /** The REST API's sync order: by last change, then id, from `from` on. */
  pageByUpdate(query: ConversationListQuery, from: UpdatedPosition | undefined): Promise<ConversationPage>;
  /** The agent holds it, or held it once: was assigned it, wrote in it, or acted on it. */
  heldBy(conversationId: string, agentId: string): Promise<boolean>;
  /** Open conversations the agent holds or held, to follow live. */
  openHeldBy(agentId: string): Promise<string[]>;
  listOpen(): Promise<OpenConversation[]>;
  /**
   * Appends with the next sequence number; a repeated clientId returns the stored message instead. Null when the
   * conversation does not exist or `guard` refuses.
   */
  append(conversationId: string, message: NewMessage, guard: SendGuard): Guarded<AppendResult>;
  history(conversationId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Records the first agent reply time once. */
  markFirstResponse(conversationId: string, at: Date): Promise<void>;
  assign(id: string, agentId: string, at: Date, event: SystemEvent): Guarded<AppendResult>;
  /** Assignments in one transaction, each guarded like assign(): null where the conversation was no longer queued. */
  assignMany(assignments: { id: string; agentId: string; event: SystemEvent }[], at: Date): Promise<(AppendResult | null)[]>;
  transfer(id: string, fromAgentId: string, toAgentId: string, event: SystemEvent): Guarded<AppendResult>;
  requeue(id: string, fromAgentId: string, event: SystemEvent): Guarded<AppendResult>;
  resolve(id: string, at: Date, event: SystemEvent): Guarded<AppendResult>;
  /** A resolved conversation becomes active again with this agent. */
  reopen(id: string, agentId: string, at: Date, event: SystemEvent): Guarded<AppendResult>;
  /** A resolved conversation waits in the queue again (the visitor wrote to it by email), from `at`. */
  requeueResolved(id: string, at: Date, event: SystemEvent): Guarded<AppendResult>;
  /** Raises one side's read mark (never lowers it); null when nothing changed. */
  markRead(id: string, by: 'visitor' | 'agent', seq: number): Promise<ConversationDTO | null>;
  /** Only resolved conversations can be rated. */
  rate(id: string, rating: number, comment: string | null): Guarded<ConversationDTO>;
  setLabels(id: string, labels: string[]): Promise<void>;
}

export interface RefreshTokenStore {
  create(token: { agentId: string; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void>;
  /** Marks the token used if it is live and unused; returns it, or why not. */
  consume(
    tokenHash: string,
    now: Date,
  ): Promise<{ status: 'ok'; agentId: string; familyId: string } | { status: 'reused'; familyId: string } | { status: 'invalid' }>;
  revokeFamily(familyId: string, now: Date): Promise<void>;
  /** Ends every login of the agent (password set, account (de)activated). */
  revokeAgent(agentId: string, now: Date): Promise<void>;
  /** Whether the login still has a token that is neither revoked nor expired. */
  isLive(familyId: string, now: Date): Promise<boolean>;
}

export interface Store {
  sites: SiteStore;
  agents: AgentStore;
  visitors: VisitorStore;
  conversations: ConversationStore;
  attachments: AttachmentStore;
  refreshTokens: RefreshTokenStore;
  canned: CannedStore;
  invites: InviteStore;
  reports: ReportStore;
  /** The durable job outbox (server/jobs). */
  jobs: JobStore;
  apiKeys: ApiKeyStore;
  /** Webhook endpoints and their delivery log. */
  webhooks: WebhookStore;
  /** Knowledge-base articles, their full-text index and evaluation questions. */
  knowledgeBase: KnowledgeBaseStore;
  /** Agents' push subscriptions and alert preferences. */
  alerts: AlertStore;
  inboundEmails: import('./inbound-email-ports.ts').InboundEmailStore;
  /** Outgoing email and its outcome. */
  emails: EmailStore;
  bots: BotStore;
  /** Cheap query proving the database answers. */
  ping(): Promise<void>;
}

export type HolderChange = 'assigned' | 'assignedOnArrival' | 'transferred';

/** The only way use cases speak to connected clients. Every method is fire-and-forget. */
export interface Notifier {
  /** `sentFrom`: the sending connection, which has it in its answer, is skipped; `opened`: conversation.queued brings it. */
  messageCreated(message: MessageDTO, conversation: ConversationDTO, how?: { sentFrom?: string; opened?: boolean }): void;
  read(conversation: ConversationDTO, by: 'visitor' | 'agent', seq: number): void;
  /** Agents of the site hear only what changed. */
  visitorChanged(change: VisitorChange): void;
  /** `holder`: only who holds it changed (status, assignee, assignedAt, lastSeq); `assignedOnArrival`: it never waited. */
  conversationChanged(conversation: ConversationSummaryDTO, holder?: HolderChange): void;
  /** It joined the queue, to be routed: its visitor hears of it now, agents once routing has decided (below, or assigned). */
  conversationQueued(conversation: ConversationSummaryDTO): void;
  /** Routing left them waiting (their first turn, or a leader's start): to every agent of their sites. */
  conversationsWaiting(conversations: ConversationSummaryDTO[]): void;
  queuePosition(visitorId: string, position: QueuePositionDTO): void;
  /** To the agents sharing one of `siteIds` with them (the agent's sites). */
  agentChanged(agent: AgentDTO, siteIds: string[] | 'all'): void;
  /** From the visitor, `event.preview` reaches agents only if the caller left it in (the site allows it). */
  typing(conversation: ConversationDTO, from: 'visitor' | 'agent', event: TypingEvent): void;
  /** An agent was deactivated, their sites or role or password changed: close their open consoles. */
  agentAccessChanged(agentId: string): void;
  /** A login was signed out or revoked: close the consoles connected with it, on every node. */
  loginEnded(sessionId: string): void;
  /** The site's visitor key was rotated: close its visitors' connections, which then need new tokens. */
  siteVisitorsRevoked(siteId: string): void;
  /** An admin created a site: admins' open consoles start receiving its events. */
  siteAdded(siteId: string): void;
  /** Whether agents see all of a site's conversations changed: close its agents' consoles, which reconnect under it. */
  siteVisibilityChanged(siteId: string): void;
  /** A webhook endpoint was disabled after failing for good: tell the admins' open consoles. */
  webhookDisabled(notice: WebhookDisabledNotice): void;
  /** An email about a conversation changed state: to the agents who see the conversation. */
  emailChanged(email: EmailDTO): void;
}

/** Agents as the running server knows them: stored record plus live presence and load. */
export interface AgentDirectory {
  dto(agent: AgentRecord): AgentDTO;
}
