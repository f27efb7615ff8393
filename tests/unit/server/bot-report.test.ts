import { expect, it } from 'vitest';
import { botReport } from '../../../server/app/bot-report.ts';
import type { ReportConversation } from '../../../server/app/ports.ts';

const at = new Date('2026-12-01T10:00:00Z');
const conv = (id: string, assigneeId: string | null, status: ReportConversation['status'], rating: number | null = null): ReportConversation => ({
  id, siteId: 's', status, assigneeId, queuedAt: at, assignedAt: at, firstResponseAt: null, resolvedAt: status === 'resolved' ? at : null, rating,
});

it('counts conversations resolved by a bot without a person, handoffs by reason and both ratings', () => {
  const conversations = [
    conv('a', 'bot', 'resolved', 5),
    conv('b', 'bot', 'resolved', 3),
    conv('c', 'bot', 'active'),
    conv('d', 'zoe', 'resolved', 2), // handed off twice, then resolved by a person
    conv('e', 'zoe', 'resolved', 4),
  ];
  const handoffs = [
    { conversationId: 'd', reason: 'not-covered' as const },
    { conversationId: 'd', reason: 'visitor-asked' as const },
    { conversationId: 'outside-range', reason: 'error' as const },
  ];
  const report = botReport(conversations, new Set(['bot']), handoffs);
  expect(report).toMatchObject({ heldByBot: 3, resolvedByBot: 2, handedOff: 1, resolvedByBotRating: { average: 4, count: 2 }, handedOffRating: { average: 2, count: 1 } });
  expect(report.handoffsByReason.filter((h) => h.count > 0)).toEqual([
    { reason: 'visitor-asked', count: 1 },
    { reason: 'not-covered', count: 1 },
  ]);
});

it('averages bot answers\' latency and sums their tokens over the range\'s conversations only', () => {
  const answers = [
    { conversationId: 'a', latencyMs: 1200, promptTokens: 400, completionTokens: 30 },
    { conversationId: 'a', latencyMs: 801, promptTokens: null, completionTokens: null }, // a rule bot reports no tokens
    { conversationId: 'outside-range', latencyMs: 90_000, promptTokens: 9999, completionTokens: 9999 },
  ];
  expect(botReport([conv('a', 'bot', 'active')], new Set(['bot']), [], answers).answers).toEqual({ count: 2, averageLatencyMs: 1001, promptTokens: 400, completionTokens: 30 });
  expect(botReport([conv('a', 'bot', 'active')], new Set(['bot']), []).answers).toEqual({ count: 0, averageLatencyMs: null, promptTokens: 0, completionTokens: 0 });
});
