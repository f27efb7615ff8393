/**
 * The Socket.IO event contract. Namespaces: `/visitor` (handshake `auth: { token }` with a visitor token)
 * and `/agent` (handshake `auth: { token }` with an agent access token). Commands (client to server)
 * always answer through the ack callback; server-to-client events are facts that already happened.
 * A refused handshake arrives as `connect_error` whose `data` is an ApiError (`data.code === 'UNAUTHORIZED'`
 * means: get a new token and reconnect). Clients rely on that shape.
 */
import type { EmailDTO } from './email.ts';
import type {
  AgentDTO,
  AgentStatus,
  CannedResponseDTO,
  ConversationDTO,
  ConversationSummaryDTO,
  HistoryPage,
  MessageDTO,
  PageViewDTO,
  QueuePositionDTO,
  TeamMemberDTO,
  VisitorChange,
  VisitorContext,
  VisitorDTO,
} from './dto.ts';
import type { AckCallback, ApiError } from './errors.ts';
import type { InboundEmailDTO, InboundEmailRef } from './inbound-email.ts';

export const MAX_MESSAGE_LENGTH = 5000;
/** Largest Socket.IO packet accepted (maxHttpBufferSize). */
export const MAX_PACKET_BYTES = 64 * 1024;
export const HISTORY_PAGE_MAX = 100;
/** A visitor's stored custom attributes, in total: keys, and bytes of their JSON. Beyond, an update is refused. */
export const MAX_VISITOR_ATTRIBUTES = 50;
export const MAX_VISITOR_ATTRIBUTE_BYTES = 32 * 1024;
/** Page views kept per visitor: the newest, older ones are pruned as new ones are recorded. */
export const MAX_PAGE_VIEWS_KEPT = 50;

export interface HistoryRequest {
  conversationId: string;
  /** Messages with seq > afterSeq, oldest first: what a reconnecting client missed. */
  afterSeq?: number;
  /** Messages with seq < beforeSeq, the newest `limit` of them: loading older history. */
  beforeSeq?: number;
  limit?: number;
}

export const MAX_ATTACHMENTS_PER_MESSAGE = 5;

export interface VisitorSendRequest {
  /** Omit to continue the open conversation, or start one when none is open. */
  conversationId?: string;
  /** With no conversationId: start a new conversation even if one is open. */
  newConversation?: boolean;
  /** Unique per message from this client; a retry with the same id returns the stored message. */
  clientId: string;
  /** May be empty when attachments are sent. */
  body: string;
  /** Ids from POST /api/attachments, uploaded by this visitor and not yet sent. */
  attachmentIds?: string[];
}

export interface SendResult {
  message: MessageDTO;
  conversation: ConversationDTO;
}

export interface TypingRequest {
  conversationId: string;
  typing: boolean;
  /** Visitors only: the draft so far, forwarded to agents only when the site enables typing preview. */
  preview?: string;
}

export interface TypingEvent {
  conversationId: string;
  typing: boolean;
  /** Agents receive the visitor's draft when the site enables typing preview. */
  preview?: string;
  /** Who is typing, for agents: the visitor, or another agent's name. */
  name?: string | null;
}

/** The reader has seen everything up to `seq`. */
export interface ReadRequest {
  conversationId: string;
  seq: number;
}

export interface ReadEvent {
  conversationId: string;
  seq: number;
  by: 'visitor' | 'agent';
}

/** What the widget reports about the visitor; every field optional, unknown keys refused. */
export interface VisitorUpdateRequest {
  name?: string;
  email?: string;
  /** Custom attributes from the JS API: flat string/number/boolean values. */
  attributes?: Record<string, string | number | boolean | null>;
  context?: Partial<VisitorContext>;
}

/**
 * Identity from the site (`Parley.identify`). `hash` = hex HMAC-SHA256 of `userId` with the site's identity
 * secret: it verifies the user id only. `profileHash` = hex HMAC-SHA256 of `userId + "\n" + name + "\n" + email`
 * (an absent field is the empty string; name trimmed) with the same secret: with a valid `hash`, it marks the
 * name and email verified. Sites that require verification refuse an identify without a valid hash, and
 * a name or email already stored for a verified visitor (or, on such sites, any visitor) is not replaced
 * without a valid profileHash (FORBIDDEN); an empty one may be filled, and is shown unverified.
 */
export interface IdentifyRequest {
  userId: string;
  name?: string;
  email?: string;
  hash?: string;
  profileHash?: string;
}

export interface IdentifyResult {
  visitor: VisitorDTO;
  /** A token for the identified visitor: when the user was known from another device, it names that visitor. */
  token: string;
}

export interface RateRequest {
  conversationId: string;
  rating: number;
  comment?: string;
}

export interface VisitorClientToServer {
  'message:send': (req: VisitorSendRequest, ack: AckCallback<SendResult>) => void;
  'conversation:list': (req: Record<string, never>, ack: AckCallback<ConversationDTO[]>) => void;
  'history:get': (req: HistoryRequest, ack: AckCallback<HistoryPage>) => void;
  typing: (req: TypingRequest, ack: AckCallback<null>) => void;
  'conversation:read': (req: ReadRequest, ack: AckCallback<null>) => void;
  'conversation:rate': (req: RateRequest, ack: AckCallback<ConversationDTO>) => void;
  /** "Talk to a person": the bot holding the conversation hands it to the human queue. CONFLICT when no bot holds it. */
  'conversation:handoff': (req: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  'visitor:update': (req: VisitorUpdateRequest, ack: AckCallback<VisitorDTO>) => void;
  'visitor:identify': (req: IdentifyRequest, ack: AckCallback<IdentifyResult>) => void;
  /** Emails the conversation's transcript to the visitor's known address; answers that address. */
  'conversation:emailTranscript': (req: ConversationRef, ack: AckCallback<{ email: string }>) => void;
}

export interface VisitorServerToClient {
  /** Not to the connection that sent it: that one has it in the send's answer. */
  'message:new': (message: MessageDTO) => void;
  'conversation:updated': (conversation: ConversationDTO) => void;
  'queue:position': (position: QueuePositionDTO) => void;
  typing: (event: TypingEvent) => void;
  'conversation:read': (event: ReadEvent) => void;
  /**
   * Sent just before the server closes the connection because what opened it no longer holds: its token
   * expired, its login was signed out or revoked, the site's visitor key was rotated, the agent's access
   * changed. `code` is UNAUTHORIZED. The client connects again; the handshake tells whether its current token holds.
   */
  'session:ended': (reason: ApiError) => void;
}

export type ConversationView = 'queue' | 'mine' | 'all' | 'resolved';

export interface ListConversationsRequest {
  view: ConversationView;
  limit?: number;
}

export interface ConversationRef {
  conversationId: string;
}

export interface AgentSendRequest {
  conversationId: string;
  clientId: string;
  body: string;
  attachmentIds?: string[];
  /** A private note: stored and shown to agents, never to the visitor. */
  note?: boolean;
}

export interface TransferRequest {
  conversationId: string;
  agentId: string;
}

export interface ConversationDetail {
  conversation: ConversationSummaryDTO;
  visitor: VisitorDTO;
  /** The visitor's pages, newest first (up to 50). */
  pages: PageViewDTO[];
  /** The visitor's other conversations, newest first. */
  earlier: ConversationSummaryDTO[];
  /** Email sent about this conversation, oldest first; kept current by `email:updated`. */
  emails: EmailDTO[];
  /** The server sends email (SMTP_URL is set). */
  emailEnabled: boolean;
}

export interface SearchRequest {
  /** Matched against message text, visitor name and email. */
  query: string;
  limit?: number;
}

export interface LabelsRequest {
  conversationId: string;
  labels: string[];
}

export interface AgentClientToServer {
  'conversation:list': (req: ListConversationsRequest, ack: AckCallback<ConversationSummaryDTO[]>) => void;
  'conversation:get': (req: ConversationRef, ack: AckCallback<ConversationDetail>) => void;
  'history:get': (req: HistoryRequest, ack: AckCallback<HistoryPage>) => void;
  'message:send': (req: AgentSendRequest, ack: AckCallback<SendResult>) => void;
  'conversation:claim': (req: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  'conversation:transfer': (req: TransferRequest, ack: AckCallback<ConversationDTO>) => void;
  'conversation:unassign': (req: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  'conversation:resolve': (req: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  'agent:setStatus': (req: { status: Exclude<AgentStatus, 'offline'> }, ack: AckCallback<AgentDTO>) => void;
  /** This console tab is on screen or not: alerts go to the agent's other devices only while none is. */
  'console:visible': (req: { visible: boolean }, ack: AckCallback<null>) => void;
  /** The agents sharing a site with the asker. */
  'agents:list': (req: Record<string, never>, ack: AckCallback<TeamMemberDTO[]>) => void;
  typing: (req: TypingRequest, ack: AckCallback<null>) => void;
  'conversation:read': (req: ReadRequest, ack: AckCallback<null>) => void;
  /** Reopens a resolved conversation: back to the agent who reopens it. */
  'conversation:reopen': (req: ConversationRef, ack: AckCallback<ConversationDTO>) => void;
  'conversation:search': (req: SearchRequest, ack: AckCallback<ConversationSummaryDTO[]>) => void;
  'conversation:setLabels': (req: LabelsRequest, ack: AckCallback<ConversationSummaryDTO>) => void;
  /** Canned responses available for this conversation's site (and global ones). */
  'canned:list': (req: { siteId?: string }, ack: AckCallback<CannedResponseDTO[]>) => void;
  /** Email replies of the conversation waiting for an agent (sent from another address than the visitor's). */
  'email:held': (req: ConversationRef, ack: AckCallback<InboundEmailDTO[]>) => void;
  /** Appends a held email reply as the visitor's message. */
  'email:accept': (req: InboundEmailRef, ack: AckCallback<InboundEmailDTO>) => void;
  'email:discard': (req: InboundEmailRef, ack: AckCallback<InboundEmailDTO>) => void;
}

/**
 * Who holds a conversation now: what agents who only watch a site's queue hear of a conversation that left it,
 * and what those who see the whole site hear of an assignment or transfer (they know the rest).
 */
export type ConversationAssignment = Pick<ConversationDTO, 'id' | 'siteId' | 'status' | 'assignee' | 'assignedAt' | 'lastSeq'>;

export interface WebhookDisabledNotice {
  siteId: string;
  endpointId: string;
  url: string;
  reason: string;
}

export interface AgentServerToClient {
  /**
   * New messages the agent may see, oldest first: those stored together arrive together, one event instead
   * of one per message, since every agent who sees all of a site hears every message of it (live previews).
   * Not the system line of an assignment from the queue: its change in 'conversations:updated' carries the new
   * lastSeq, and a client showing the transcript fetches it (`history:get` with `afterSeq`).
   */
  'messages:new': (messages: MessageDTO[]) => void;
  /**
   * Conversations that changed, oldest first (one conversation may appear more than once; apply in order): the
   * whole summary to agents who may see it, except an assignment, of which those who see it know the rest; to the
   * rest of its queue only that it left. A partial change of a conversation not known yet is dropped (every agent
   * of the site saw it whole in the queue; a transfer's system line, in 'messages:new', says to fetch it). One event per routing turn rather than per
   * change, since every agent of a site hears of each (a queue burst assigns hundreds at once).
   */
  'conversations:updated': (conversations: (ConversationSummaryDTO | ConversationAssignment)[]) => void;
  /**
   * Colleagues sharing a site changed (status, load), oldest first: to admins and the agent themself with the
   * email, to the rest without. One event per routing turn, which changes the load of every agent it assigns to.
   */
  'agents:updated': (agents: (AgentDTO | TeamMemberDTO)[]) => void;
  typing: (event: TypingEvent) => void;
  'conversation:read': (event: ReadEvent) => void;
  /** The visitor's context changed (page, name, email, attributes): only the fields that changed. */
  'visitor:updated': (change: VisitorChange) => void;
  /** As for visitors (VisitorServerToClient): the connection is about to close; connect again. */
  'session:ended': (reason: ApiError) => void;
  /** To admins: a webhook endpoint failed for good and was disabled (enable it again in the site's Webhooks). */
  'webhook:disabled': (notice: WebhookDisabledNotice) => void;
  /** An email about a conversation the agent sees was queued, sent, deferred or failed. */
  'email:updated': (email: EmailDTO) => void;
}
