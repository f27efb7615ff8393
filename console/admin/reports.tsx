/**
 * Reports: volume, wait to assignment, first response and resolution time (median and 90th percentile),
 * rating average; per day or per agent; a bar chart of the chosen measure; CSV export; then staffing.
 */
import { BotReportSection } from './bot-report.tsx';
import { useState } from 'preact/hooks';
import type { DurationStats, Report, ReportRow, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { AdminApi } from '../api.ts';
import { formatDuration } from '../format.ts';
import { locale, t, type ConsoleText } from '../i18n.ts';
import { AdminPage, ErrorLine, errorText, SiteSelect, useLoad } from './common.tsx';
import { StaffingSection } from './staffing.tsx';

type Measure = 'conversations' | 'waitToAssignment' | 'firstResponse' | 'resolution' | 'ratingAverage';
const MEASURES: [Measure, ConsoleText][] = [
  ['conversations', 'measureConversations'],
  ['waitToAssignment', 'measureWait'],
  ['firstResponse', 'measureFirstResponse'],
  ['resolution', 'measureResolution'],
  ['ratingAverage', 'measureRating'],
];

const isoDay = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function value(row: ReportRow, measure: Measure): number | null {
  if (measure === 'conversations') return row.conversations;
  if (measure === 'ratingAverage') return row.ratingAverage;
  return row[measure].medianMs;
}

function display(v: number | null, measure: Measure): string {
  if (v === null) return '—';
  if (measure === 'conversations') return String(v);
  if (measure === 'ratingAverage') return v.toFixed(2);
  return formatDuration(v);
}

function rowLabel(report: Report, row: ReportRow): string {
  if (report.groupBy === 'agent') return row.key === 'unassigned' ? t('unassigned') : row.label;
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${row.key}T00:00:00Z`));
}

/** A bar per row; every bar has a text equivalent in its title, and the table below has the figures. */
export function BarChart({ report, measure }: { report: Report; measure: Measure }) {
  const rows = report.rows;
  const W = 720;
  const H = 220;
  const pad = { top: 12, right: 8, bottom: 44, left: 48 };
  const values = rows.map((r) => value(r, measure) ?? 0);
  const max = Math.max(...values, measure === 'conversations' ? 1 : 0) || 1;
  const plotW = W - pad.left - pad.right;
  const plotH = H - pad.top - pad.bottom;
  const step = rows.length > 0 ? plotW / rows.length : plotW;
  const barW = Math.max(2, Math.min(48, step * 0.7));
  const labelEvery = Math.ceil(rows.length / 16);
  const measureName = t(MEASURES.find(([m]) => m === measure)![1]);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="xMidYMid meet">
        <title id="chart-title">{t('chartTitle', { measure: measureName })}</title>
        <desc id="chart-desc">{rows.map((r, i) => `${rowLabel(report, r)}: ${display(value(r, measure), measure)}`).filter((_, i) => values[i]! > 0).join('; ') || t('noData')}</desc>
        {[0, 0.5, 1].map((f) => {
          const y = pad.top + plotH * (1 - f);
          return (
            <g key={f} class="grid">
              <line x1={pad.left} x2={W - pad.right} y1={y} y2={y} />
              <text x={pad.left - 6} y={y + 4} text-anchor="end">
                {display(measure === 'conversations' ? Math.round(max * f) : max * f, measure)}
              </text>
            </g>
          );
        })}
        {rows.map((row, i) => {
          const v = values[i]!;
          const h = (v / max) * plotH;
          const x = pad.left + step * i + (step - barW) / 2;
          return (
            <g key={row.key} class="bar">
              <rect x={x} y={pad.top + plotH - h} width={barW} height={Math.max(h, v > 0 ? 1 : 0)} rx={2}>
                <title>{`${rowLabel(report, row)}: ${display(value(row, measure), measure)}`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text x={x + barW / 2} y={H - pad.bottom + 16} text-anchor="middle" class="axis">
                  {rowLabel(report, row).slice(0, 14)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>{t('chartCaption', { measure: measureName })}</figcaption>
    </figure>
  );
}

function Stat({ label, stats }: { label: string; stats: DurationStats }) {
  return (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{formatDuration(stats.medianMs)}</span>
      <span class="stat-sub">
        {t('p90')} {formatDuration(stats.p90Ms)} · n={stats.count}
      </span>
    </div>
  );
}

export function ReportsAdmin({ api }: { api: AdminApi }) {
  const today = new Date();
  const [from, setFrom] = useState(isoDay(new Date(today.getTime() - 13 * 86_400_000)));
  const [to, setTo] = useState(isoDay(today));
  const [groupBy, setGroupBy] = useState<'day' | 'agent'>('day');
  const [siteId, setSiteId] = useState('');
  const [timezone, setTimezone] = useState(browserZone);
  const [measure, setMeasure] = useState<Measure>('conversations');
  const [error, setError] = useState<string | null>(null);
  const sites = useLoad(() => api.get<SiteAdminDTO[]>('/sites'), [api]);
  const query = new URLSearchParams({ from, to, groupBy, tz: timezone, ...(siteId ? { siteId } : {}) }).toString();
  const report = useLoad(() => api.get<Report>(`/reports?${query}`), [api, query]);
  const r = report.data;
  return (
    <AdminPage
      title={t('reports')}
      actions={
        <button
          type="button"
          onClick={async () => {
            try {
              await api.download(`/reports?${query}&format=csv`, `parley-report-${groupBy}-${from}-${to}.csv`);
            } catch (err) {
              setError(errorText(err));
            }
          }}
        >
          {t('exportCsv')}
        </button>
      }
    >
      <form class="report-controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('from')}
          <input type="date" value={from} max={to} onChange={(e) => e.currentTarget.value && setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('to')}
          <input type="date" value={to} min={from} onChange={(e) => e.currentTarget.value && setTo(e.currentTarget.value)} />
        </label>
        <label>
          {t('groupBy')}
          <select value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as 'day' | 'agent')}>
            <option value="day">{t('perDay')}</option>
            <option value="agent">{t('perAgent')}</option>
          </select>
        </label>
        <label>
          {t('site')}
          <SiteSelect sites={sites.data ?? []} value={siteId} onChange={setSiteId} />
        </label>
        <label>
          {t('timeZone')}
          <input value={timezone} list="report-zones" onChange={(e) => setTimezone(e.currentTarget.value || 'UTC')} />
        </label>
        <datalist id="report-zones">
          {(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC']).map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </form>
      <ErrorLine error={report.error ?? error} />
      {r && (
        <>
          <section class="stats" aria-label={t('totals')}>
            <div class="stat">
              <span class="stat-label">{t('measureConversations')}</span>
              <span class="stat-value" data-testid="total-conversations">
                {r.totals.conversations}
              </span>
              <span class="stat-sub">{t('resolvedCount', { count: r.totals.resolved })}</span>
            </div>
            <Stat label={t('measureWait')} stats={r.totals.waitToAssignment} />
            <Stat label={t('measureFirstResponse')} stats={r.totals.firstResponse} />
            <Stat label={t('measureResolution')} stats={r.totals.resolution} />
            <div class="stat">
              <span class="stat-label">{t('measureRating')}</span>
              <span class="stat-value">{r.totals.ratingAverage === null ? '—' : r.totals.ratingAverage.toFixed(2)}</span>
              <span class="stat-sub">{t('ratingsCount', { count: r.totals.ratings })}</span>
            </div>
          </section>
          <BotReportSection bots={r.bots} />
          <label class="measure">
            {t('chartMeasure')}
            <select value={measure} onChange={(e) => setMeasure(e.currentTarget.value as Measure)}>
              {MEASURES.map(([m, label]) => (
                <option key={m} value={m}>
                  {t(label)}
                </option>
              ))}
            </select>
          </label>
          <BarChart report={r} measure={measure} />
          <div class="table-scroll">
            <table class="admin-table report-table">
              <caption class="visually-hidden">{t('reportTable')}</caption>
              <thead>
                <tr>
                  <th scope="col">{groupBy === 'day' ? t('day') : t('agent')}</th>
                  <th scope="col">{t('measureConversations')}</th>
                  <th scope="col">{t('resolvedColumn')}</th>
                  <th scope="col">{t('waitColumn')}</th>
                  <th scope="col">{t('firstResponseColumn')}</th>
                  <th scope="col">{t('resolutionColumn')}</th>
                  <th scope="col">{t('measureRating')}</th>
                </tr>
              </thead>
              <tbody>
                {[...r.rows, r.totals].map((row) => (
                  <tr key={row.key} class={row === r.totals ? 'total' : undefined}>
                    <th scope="row">{row === r.totals ? t('total') : rowLabel(r, row)}</th>
                    <td>{row.conversations}</td>
                    <td>{row.resolved}</td>
                    {[row.waitToAssignment, row.firstResponse, row.resolution].map((s, i) => (
                      <td key={i}>
                        {formatDuration(s.medianMs)} / {formatDuration(s.p90Ms)}
                      </td>
                    ))}
                    <td>{row.ratingAverage === null ? '—' : `${row.ratingAverage.toFixed(2)} (${row.ratings})`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <StaffingSection api={api} siteId={siteId} timezone={timezone} />
    </AdminPage>
  );
}
