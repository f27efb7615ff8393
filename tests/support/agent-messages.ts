/**
 * How a test hears the messages an agent's socket is sent: in 'messages:new' batches, and a new conversation's
 * first message inside its queued summary. Kept apart from parley.ts, which starts servers, so that browser
 * harnesses can use it without loading the server.
 */
import type { Socket } from 'socket.io-client';
import type { ConversationSummaryDTO, MessageDTO } from '../../server/contract/dto.ts';
import { nextHeard } from './socket-waits.ts';

/**
 * Every message an agent's socket hears from now on: in 'messages:new', and a conversation's first message inside
 * its summary ('conversations:updated'), where agents meet it. A summary that still shows it may bring it again.
 * Returns a function that stops listening.
 */
export function onAgentMessage(socket: Socket, hear: (message: MessageDTO) => void): () => void {
  const fromBatch = (messages: MessageDTO[]) => messages.forEach(hear);
  const fromSummaries = (conversations: Partial<ConversationSummaryDTO>[]) => {
    for (const c of conversations) if (c.lastMessage?.seq === 1) hear(c.lastMessage);
  };
  socket.on('messages:new', fromBatch);
  socket.on('conversations:updated', fromSummaries);
  return () => {
    socket.off('messages:new', fromBatch);
    socket.off('conversations:updated', fromSummaries);
  };
}

/** The next message an agent's socket hears that matches `where`, a new conversation's first one included. */
export function nextAgentHeard(socket: Socket, where: (message: MessageDTO) => boolean, timeoutMs = 5000): PromiseLike<MessageDTO> {
  return nextHeard((hear) => onAgentMessage(socket, hear), where, timeoutMs, 'message');
}
