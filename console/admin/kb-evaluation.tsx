/** The evaluation of one site: questions with their expected article, and a run's per-question result (retrieval, and the AI bot's answer when the site has one). */
import { useState } from 'preact/hooks';
import { ARTICLE_LIMITS, EVAL_TOP_K, type ArticleDTO, type EvalAiRowDTO, type EvalQuestionDTO, type EvalReportDTO } from '../../server/contract/knowledge-base.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminTable, ErrorLine, errorText, RowAction, useLoad } from './common.tsx';

function aiOutcome(ai: EvalAiRowDTO): string {
  if (ai.outcome === 'answered') return t(ai.citedExpected ? 'kbAiCited' : 'kbAiNotCited');
  if (ai.outcome === 'handed-off') return t('kbAiHandedOff', { reason: ai.handoffReason ? t(`botReason_${ai.handoffReason}`) : '' });
  return t('kbAiNone');
}

export function KbEvaluation({ api, siteId, articles }: { api: AdminApi; siteId: string; articles: ArticleDTO[] }) {
  const questions = useLoad(() => api.get<EvalQuestionDTO[]>(`/sites/${siteId}/kb/eval`), [api, siteId, articles]);
  const [question, setQuestion] = useState('');
  const [articleSlug, setArticleSlug] = useState('');
  const [report, setReport] = useState<EvalReportDTO | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const add = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      await api.post(`/sites/${siteId}/kb/eval`, { question, articleSlug });
      setQuestion('');
      setReport(null);
      questions.reload();
    });
  };
  const remove = (q: EvalQuestionDTO) =>
    void act(async () => {
      await api.delete(`/sites/${siteId}/kb/eval/${q.id}`);
      setReport(null);
      questions.reload();
    });
  const run = () => void act(async () => setReport(await api.post<EvalReportDTO>(`/sites/${siteId}/kb/eval/run`)));
  const result = (id: string) => report?.rows.find((row) => row.questionId === id);

  return (
    <section aria-labelledby="kb-eval-title" class="kb-eval">
      <h2 id="kb-eval-title">{t('kbEvaluation')}</h2>
      <p>{t('kbEvalIntro', { k: EVAL_TOP_K })}</p>
      <ErrorLine error={questions.error ?? error} />
      {report && (
        <p role="status" class="saved">
          {t('kbHitRate', { k: report.topK, rate: (report.hitRate * 100).toFixed(1), count: report.rows.length })}
          {report.ai && (
            <>
              <br />
              {t('kbAiTotals', {
                bot: report.ai.botName,
                answered: report.ai.answered,
                handedOff: report.ai.handedOff,
                cited: report.ai.citedExpected,
                count: report.rows.length,
                prompt: report.ai.promptTokens,
                completion: report.ai.completionTokens,
              })}
            </>
          )}
        </p>
      )}
      <AdminTable caption={t('kbEvaluation')} columns={[t('kbQuestion'), t('kbExpected'), t('kbRetrieved'), t('kbRank'), ...(report?.ai ? [t('kbAiColumn')] : [])]}>
        {(questions.data ?? []).map((q) => {
          const row = result(q.id);
          return (
            <tr key={q.id}>
              <th scope="row">{q.question}</th>
              <td>
                <code>{q.articleSlug}</code>
              </td>
              <td>{row ? row.retrieved.join(', ') : ''}</td>
              <td>{row ? (row.hit ? `${t('kbHit')} (${row.rank})` : t('kbMiss')) : ''}</td>
              {report?.ai && <td data-testid="kb-eval-ai">{row?.ai ? aiOutcome(row.ai) : ''}</td>}
              <td class="row-actions">
                <RowAction label={t('delete')} subject={q.question} danger onClick={() => remove(q)} />
              </td>
            </tr>
          );
        })}
        {questions.data?.length === 0 && (
          <tr>
            <td colSpan={report?.ai ? 6 : 5} class="empty">
              {t('kbNoQuestions')}
            </td>
          </tr>
        )}
      </AdminTable>
      <form class="admin-form inline" onSubmit={add} aria-label={t('kbAddQuestion')}>
        <div class="row">
          <label>
            {t('kbQuestion')}
            <input required maxLength={ARTICLE_LIMITS.question} value={question} onInput={(e) => setQuestion(e.currentTarget.value)} />
          </label>
          <label>
            {t('kbExpected')}
            <select required value={articleSlug} onChange={(e) => setArticleSlug(e.currentTarget.value)}>
              <option value="" />
              {articles.map((a) => (
                <option key={a.id} value={a.slug}>
                  {a.title}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div class="form-actions">
          <button type="submit">{t('kbAddQuestion')}</button>
          <button type="button" class="primary" onClick={run} disabled={!questions.data?.length}>
            {t('kbRunEval')}
          </button>
        </div>
      </form>
    </section>
  );
}
