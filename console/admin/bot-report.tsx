/** The bots part of the reports: conversations resolved by a bot without a person, handoffs by reason, ratings, answers' latency and tokens. */
import type { BotReport } from '../../server/contract/admin.ts';
import { t } from '../i18n.ts';

const rated = ({ average, count }: { average: number | null; count: number }) => (average === null ? '—' : `${average.toFixed(2)} (${count})`);

export function BotReportSection({ bots }: { bots: BotReport }) {
  return (
    <section class="stats" aria-label={t('bots')}>
      <div class="stat">
        <span class="stat-label">{t('botResolved')}</span>
        <span class="stat-value" data-testid="bot-resolved">
          {bots.resolvedByBot}
        </span>
        <span class="stat-sub">{t('botHeld', { count: bots.heldByBot })}</span>
        <span class="stat-sub">{t('botRating', { rating: rated(bots.resolvedByBotRating) })}</span>
      </div>
      <div class="stat">
        <span class="stat-label">{t('botHandedOff')}</span>
        <span class="stat-value" data-testid="bot-handed-off">
          {bots.handedOff}
        </span>
        {bots.handoffsByReason
          .filter((h) => h.count > 0)
          .map((h) => (
            <span class="stat-sub" key={h.reason}>
              {t(`botReason_${h.reason}`)}: {h.count}
            </span>
          ))}
        <span class="stat-sub">{t('botRating', { rating: rated(bots.handedOffRating) })}</span>
      </div>
      <div class="stat">
        <span class="stat-label">{t('botAnswers')}</span>
        <span class="stat-value" data-testid="bot-answers">
          {bots.answers.count}
        </span>
        {bots.answers.averageLatencyMs !== null && (
          <span class="stat-sub">
            {t('botAnswerCost', { latency: bots.answers.averageLatencyMs, prompt: bots.answers.promptTokens, completion: bots.answers.completionTokens })}
          </span>
        )}
      </div>
    </section>
  );
}
