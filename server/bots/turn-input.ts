/** What a bot is shown: this conversation's messages only (no notes, no system lines), as BotTurnInput. */
import type { ConversationDTO, MessageDTO } from '../contract/dto.ts';
import { MAX_MESSAGE_LENGTH } from '../contract/events.ts';
import type { BotTranscriptLine, BotTurnInput } from './ports.ts';

/** Messages shown to the bot, newest kept: enough context for an answer, bounded cost per turn. */
export const TRANSCRIPT_LIMIT = 100;

export function transcriptLine(message: MessageDTO, botAgentId: string): BotTranscriptLine | null {
  if (message.authorKind === 'visitor') return { author: 'visitor', text: message.body };
  if (message.authorKind === 'agent') return { author: message.authorId === botAgentId ? 'bot' : 'agent', text: message.body };
  return null; // system lines and notes are not the conversation the visitor had
}

export function turnInput(
  site: { id: string; name: string },
  conversation: ConversationDTO,
  messages: readonly MessageDTO[],
  botAgentId: string,
  locale: string | null,
): BotTurnInput | null {
  const transcript = messages.map((m) => transcriptLine(m, botAgentId)).filter((l): l is BotTranscriptLine => l !== null);
  const latest = transcript.findLast((l) => l.author === 'visitor');
  if (!latest) return null;
  return {
    siteId: site.id,
    siteName: site.name,
    conversationId: conversation.id,
    transcript,
    latest: latest.text,
    ...(locale && { locale }),
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A bot's text as a message body: well-formed, no NUL, within the message length (the safe renderer does the rest). */
export function replyBody(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\0', '').slice(0, MAX_MESSAGE_LENGTH).trim();
}
