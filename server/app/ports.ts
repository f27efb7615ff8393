/**
 * What the use cases need from the outside world. The database store (server/db) and the Socket.IO
 * notifier (server/realtime) implement these; use cases never see Prisma or Socket.IO.
 */
import type {
  AgentDTO,
  AgentRole,
  AgentStatus,
  AuthorKind,
  ConversationDTO,
  ConversationStatus,
  ConversationSummaryDTO,
  HistoryPage,
  MessageDTO,
  QueuePositionDTO,
  SiteDTO,
  SystemEvent,
  VisitorDTO,
  WidgetSettings,
} from '../contract/dto.ts';
import type { TypingEvent } from '../contract/events.ts';

export interface AgentRecord extends Omit<AgentDTO, 'connected' | 'load'> {
  passwordHash: string;
  /** Site ids this agent answers for; admins answer for all. */
  siteIds: string[] | 'all';
}

export interface SiteRecord extends SiteDTO {
  identitySecret: string;
}

export interface NewMessage {
  authorKind: AuthorKind;
  authorId: string | null;
  body: string;
  system?: SystemEvent;
  clientId: string | null;
}

export interface AppendResult {
  message: MessageDTO;
  conversation: ConversationDTO;
  /** False when a message with the same clientId already existed (an idempotent retry). */
  created: boolean;
}

/** Result of a guarded state change: null when the guard failed (someone else changed it first). */
export type Guarded<T> = Promise<T | null>;

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
  assigneeId?: string;
  limit: number;
}

export interface SiteStore {
  create(site: { name: string; allowedOrigins: string[]; widgetSettings: WidgetSettings }): Promise<SiteRecord>;
  findByKey(publicKey: string): Promise<SiteRecord | null>;
  findById(id: string): Promise<SiteRecord | null>;
  list(): Promise<SiteRecord[]>;
  setAllowedOrigins(id: string, origins: string[]): Promise<void>;
  count(): Promise<number>;
}

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
}

export interface VisitorStore {
  create(siteId: string): Promise<VisitorDTO>;
  findById(id: string): Promise<VisitorDTO | null>;
  touch(id: string): Promise<void>;
}

export interface ConversationStore {
  /** Creates a queued conversation and its first message in one transaction. */
  start(input: { siteId: string; visitorId: string; queuedAt: Date; first: NewMessage }): Promise<AppendResult>;
  findById(id: string): Promise<ConversationDTO | null>;
  summary(id: string): Promise<ConversationSummaryDTO | null>;
  /** The visitor's queued or active conversation, newest first. */
  findOpenForVisitor(visitorId: string): Promise<ConversationDTO | null>;
  /** A message this visitor already sent with this clientId, in any of their conversations. */
  findVisitorMessageByClientId(visitorId: string, clientId: string): Promise<AppendResult | null>;
  listForVisitor(visitorId: string): Promise<ConversationDTO[]>;
  list(query: ConversationListQuery): Promise<ConversationSummaryDTO[]>;
  listOpen(): Promise<OpenConversation[]>;
  /** Appends with the next sequence number; a repeated clientId returns the stored message instead. */
  append(conversationId: string, message: NewMessage): Promise<AppendResult>;
  history(conversationId: string, query: HistoryQuery): Promise<HistoryPage>;
  /** Records the first agent reply time once. */
  markFirstResponse(conversationId: string, at: Date): Promise<void>;
  assign(id: string, agentId: string, at: Date, event: SystemEvent): Guarded<AppendResult>;
  transfer(id: string, fromAgentId: string, toAgentId: string, event: SystemEvent): Guarded<AppendResult>;
  requeue(id: string, fromAgentId: string, event: SystemEvent): Guarded<AppendResult>;
  resolve(id: string, at: Date, event: SystemEvent): Guarded<AppendResult>;
}

export interface RefreshTokenStore {
  create(token: { agentId: string; familyId: string; tokenHash: string; expiresAt: Date }): Promise<void>;
  /** Marks the token used if it is live and unused; returns it, or why not. */
  consume(
    tokenHash: string,
    now: Date,
  ): Promise<{ status: 'ok'; agentId: string; familyId: string } | { status: 'reused'; familyId: string } | { status: 'invalid' }>;
  revokeFamily(familyId: string, now: Date): Promise<void>;
}

export interface Store {
  sites: SiteStore;
  agents: AgentStore;
  visitors: VisitorStore;
  conversations: ConversationStore;
  refreshTokens: RefreshTokenStore;
  /** Cheap query proving the database answers. */
  ping(): Promise<void>;
}

/** The only way use cases speak to connected clients. Every method is fire-and-forget. */
export interface Notifier {
  messageCreated(message: MessageDTO, conversation: ConversationDTO): void;
  conversationChanged(conversation: ConversationSummaryDTO): void;
  queuePosition(visitorId: string, position: QueuePositionDTO): void;
  agentChanged(agent: AgentDTO): void;
  typing(conversation: ConversationDTO, from: 'visitor' | 'agent', event: TypingEvent): void;
  /** An admin created a site: admins' open consoles start receiving its events. */
  siteAdded(siteId: string): void;
}

/** Agents as the running server knows them: stored record plus live presence and load. */
export interface AgentDirectory {
  dto(agent: AgentRecord): AgentDTO;
}
