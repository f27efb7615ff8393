/** The visitor chat's state, as the frame's views see it, and the pure rules it follows. */
import type { AttachmentDTO, ConversationDTO, MessageDTO, QueuePositionDTO, VisitorDTO } from '../../server/contract/dto.ts';
import type { Connection } from '../../client/live-session.ts';
import type { Pending, Unsent } from '../../client/outbox.ts';

/** A message the visitor wrote, kept in the frame's outbox until the server stored it. */
export interface VisitorUnsent extends Unsent {
  /** Null for a message written before its conversation existed: the first one to arrive starts it. */
  conversationId: string | null;
  /** Written after "new conversation": it starts one instead of joining the open one. */
  newConversation: boolean;
  attachments: AttachmentDTO[];
}

export type VisitorOutgoing = Pending<VisitorUnsent>;

export interface VisitorChatState {
  connection: Connection;
  /** Every conversation of the visitor, newest first. */
  conversations: ConversationDTO[];
  /** The conversation on screen; null before the first message, or when the visitor starts a new one. */
  conversation: ConversationDTO | null;
  messages: MessageDTO[];
  /** Written but not stored yet, also from before a reload; sent in order once connected. */
  outgoing: readonly VisitorOutgoing[];
  /** The latest position received, for whichever conversation it names. */
  queue: QueuePositionDTO | null;
  /** Known once connected: the pre-chat and offline forms start from its name and email. */
  visitor: VisitorDTO | null;
  /** The name of the agent typing in the conversation on screen, or null when nobody is. */
  agentTyping: string | null;
  /** The panel is open and the page shown: agent messages count as read as they arrive. */
  seeing: boolean;
  /** Agent messages of the conversation on screen the visitor has not seen. */
  unread: number;
}

export const initialVisitorState: VisitorChatState = {
  connection: 'connecting',
  conversations: [],
  conversation: null,
  messages: [],
  outgoing: [],
  queue: null,
  visitor: null,
  agentTyping: null,
  seeing: false,
  unread: 0,
};

export const newestFirst = (conversations: ConversationDTO[]): ConversationDTO[] =>
  [...conversations].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));

/** The visitor's conversations with this one added or replaced, newest first. */
export function withConversation(conversations: ConversationDTO[], conversation: ConversationDTO): ConversationDTO[] {
  return newestFirst([conversation, ...conversations.filter((c) => c.id !== conversation.id)]);
}

export /** Agent messages of the conversation on screen after the visitor's read mark (the server's, or this page's). */
function unreadOf({ conversation, messages }: VisitorChatState, read: { conversationId: string; seq: number }): number {
  if (!conversation) return 0;
  const readSeq = Math.max(conversation.visitorReadSeq, read.conversationId === conversation.id ? read.seq : 0);
  return messages.filter((m) => m.authorKind === 'agent' && m.seq > readSeq).length;
}
