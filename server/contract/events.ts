/**
 * The Socket.IO event contract. Namespaces: `/visitor` (handshake `auth: { token }` with a visitor token)
 * and `/agent` (handshake `auth: { token }` with an agent access token). Commands (client to server)
 * always answer through the ack callback; server-to-client events are facts that already happened.
 * A refused handshake arrives as `connect_error` whose `data` is an ApiError (`data.code === 'UNAUTHORIZED'`
 * means: get a new token and reconnect). Clients rely on that shape.
 */
import type {
  AgentDTO,
  AgentStatus,
  ConversationDTO,
  ConversationSummaryDTO,
  HistoryPage,
  MessageDTO,
  QueuePositionDTO,
  VisitorDTO,
} from './dto.ts';
import type { AckCallback } from './errors.ts';

export const MAX_MESSAGE_LENGTH = 5000;
/** Largest Socket.IO packet accepted (maxHttpBufferSize). */
export const MAX_PACKET_BYTES = 64 * 1024;
export const HISTORY_PAGE_MAX = 100;

export interface HistoryRequest {
  conversationId: string;
  /** Messages with seq > afterSeq, oldest first: what a reconnecting client missed. */
  afterSeq?: number;
  /** Messages with seq < beforeSeq, the newest `limit` of them: loading older history. */
  beforeSeq?: number;
  limit?: number;
}

export interface VisitorSendRequest {
  /** Omit to start a new conversation (or continue the open one). */
  conversationId?: string;
  /** Unique per message from this client; a retry with the same id returns the stored message. */
  clientId: string;
  body: string;
}

export interface SendResult {
  message: MessageDTO;
  conversation: ConversationDTO;
}

export interface TypingRequest {
  conversationId: string;
  typing: boolean;
}

export interface TypingEvent {
  conversationId: string;
  typing: boolean;
}

export interface VisitorClientToServer {
  'message:send': (req: VisitorSendRequest, ack: AckCallback<SendResult>) => void;
  'conversation:list': (req: Record<string, never>, ack: AckCallback<ConversationDTO[]>) => void;
  'history:get': (req: HistoryRequest, ack: AckCallback<HistoryPage>) => void;
  typing: (req: TypingRequest, ack: AckCallback<null>) => void;
}

export interface VisitorServerToClient {
  'message:new': (message: MessageDTO) => void;
  'conversation:updated': (conversation: ConversationDTO) => void;
  'queue:position': (position: QueuePositionDTO) => void;
  typing: (event: TypingEvent) => void;
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
  'agents:list': (req: Record<string, never>, ack: AckCallback<AgentDTO[]>) => void;
  typing: (req: TypingRequest, ack: AckCallback<null>) => void;
}

export interface AgentServerToClient {
  'message:new': (message: MessageDTO) => void;
  'conversation:updated': (conversation: ConversationSummaryDTO) => void;
  'agent:updated': (agent: AgentDTO) => void;
  typing: (event: TypingEvent) => void;
}
