/**
 * The staffing view under Reports: per hour of the week, agents needed at the chosen service level (Erlang C
 * over the last four weeks) beside agents who answered then, as a day × hour grid.
 */
import { useState } from 'preact/hooks';
import type { StaffingHour, StaffingView } from '../../server/contract/admin.ts';
import type { AdminApi } from '../api.ts';
import { formatDuration } from '../format.ts';
import { locale, t } from '../i18n.ts';
import { ErrorLine, useLoad } from './common.tsx';

const HOURS = Array.from({ length: 24 }, (_, h) => h);
// 1 January 2024 was a Monday: day d of the week is 1 + d January, named in the console's language.
const weekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
const DAYS = Array.from({ length: 7 }, (_, d) => weekday.format(Date.UTC(2024, 0, 1 + d)));

const tenths = (n: number) => String(Math.round(n * 10) / 10);

function Cell({ hour }: { hour: StaffingHour }) {
  const needed = hour.agentsNeeded === null ? '—' : String(hour.agentsNeeded);
  const short = hour.agentsNeeded !== null && hour.agentsAnswered < hour.agentsNeeded;
  return (
    <td class={short ? 'short' : undefined} title={t('staffingCell', { needed, answered: tenths(hour.agentsAnswered), arrivals: tenths(hour.arrivals) })}>
      {hour.arrivals === 0 && hour.agentsAnswered === 0 ? '' : `${needed}/${tenths(hour.agentsAnswered)}`}
    </td>
  );
}

export function StaffingSection({ api, siteId, timezone }: { api: AdminApi; siteId: string; timezone: string }) {
  const [serviceLevel, setServiceLevel] = useState(80);
  const [seconds, setSeconds] = useState(30);
  const query = new URLSearchParams({ tz: timezone, serviceLevel: String(serviceLevel), seconds: String(seconds), ...(siteId ? { siteId } : {}) }).toString();
  const view = useLoad(() => api.get<StaffingView>(`/reports/staffing?${query}`), [api, query]);
  const v = view.data;
  // Only whole values in range reach the query; the field keeps what is typed meanwhile.
  const within = (min: number, max: number, set: (n: number) => void) => (e: Event) => {
    const n = (e.currentTarget as HTMLInputElement).valueAsNumber;
    if (Number.isInteger(n) && n >= min && n <= max) set(n);
  };
  return (
    <section class="staffing" aria-labelledby="staffing-title">
      <h2 id="staffing-title">{t('staffingTitle')}</h2>
      <p class="muted">{t('staffingIntro')}</p>
      <form class="report-controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('staffingServiceLevel')}
          <input type="number" name="serviceLevel" min={1} max={99} value={serviceLevel} onInput={within(1, 99, setServiceLevel)} />
        </label>
        <label>
          {t('staffingSeconds')}
          <input type="number" name="seconds" min={1} max={3600} value={seconds} onInput={within(1, 3600, setSeconds)} />
        </label>
      </form>
      <ErrorLine error={view.error} />
      {v && (
        <>
          <p data-testid="staffing-totals">
            {t('staffingTotals', { conversations: v.totals.conversations, handle: formatDuration(v.totals.handleMs), peak: v.totals.peakAgentsNeeded ?? '—' })}
          </p>
          <div class="table-scroll">
            <table class="admin-table staffing-table">
              <caption>{t('staffingTable')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('day')}</th>
                  {HOURS.map((h) => (
                    <th key={h} scope="col">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {DAYS.map((day, d) => (
                  <tr key={day}>
                    <th scope="row">{day}</th>
                    {HOURS.map((h) => (
                      <Cell key={h} hour={v.hours[d * 24 + h]!} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
