/** The bots part of a report: conversations resolved by a bot without a person, handoffs by reason, their ratings, answer latency and tokens. Pure. */
import type { BotReport } from '../contract/admin.ts';

/** What the bots part reads of a report's conversation (ports.ts ReportConversation has it). */
interface ReportConversation {
  id: string;
  status: string;
  assigneeId: string | null;
  rating: number | null;
}

export type HandoffReasonName = BotReport['handoffsByReason'][number]['reason'];

/** A bot reply (BotTurn row with outcome reply), with its latency and tokens. */
export interface ReportBotAnswer {
  conversationId: string;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface ReportHandoff {
  conversationId: string;
  reason: HandoffReasonName;
}

const REASONS: readonly HandoffReasonName[] = ['visitor-asked', 'bot-asked', 'not-covered', 'error', 'timeout'];

function rating(conversations: readonly ReportConversation[]): { average: number | null; count: number } {
  const ratings = conversations.map((c) => c.rating).filter((r): r is number => r !== null);
  const average = ratings.length === 0 ? null : Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100;
  return { average, count: ratings.length };
}

/** `conversations`: those of the report's range; handoffs of other conversations are left out. */
export function botReport(
  conversations: readonly ReportConversation[],
  botAgentIds: ReadonlySet<string>,
  handoffs: readonly ReportHandoff[],
  answers: readonly ReportBotAnswer[] = [],
): BotReport {
  const byBot = conversations.filter((c) => c.assigneeId !== null && botAgentIds.has(c.assigneeId));
  const inRange = new Map(conversations.map((c) => [c.id, c]));
  const counted = handoffs.filter((h) => inRange.has(h.conversationId));
  const handedOff = [...new Set(counted.map((h) => h.conversationId))].map((id) => inRange.get(id)!);
  const answered = answers.filter((a) => inRange.has(a.conversationId));
  const sum = (pick: (a: ReportBotAnswer) => number | null) => answered.reduce((total, a) => total + (pick(a) ?? 0), 0);
  return {
    heldByBot: byBot.length,
    resolvedByBot: byBot.filter((c) => c.status === 'resolved').length,
    handedOff: handedOff.length,
    handoffsByReason: REASONS.map((reason) => ({ reason, count: counted.filter((h) => h.reason === reason).length })),
    resolvedByBotRating: rating(byBot.filter((c) => c.status === 'resolved')),
    handedOffRating: rating(handedOff),
    answers: {
      count: answered.length,
      averageLatencyMs: answered.length ? Math.round(sum((a) => a.latencyMs) / answered.length) : null,
      promptTokens: sum((a) => a.promptTokens),
      completionTokens: sum((a) => a.completionTokens),
    },
  };
}
