/**
 * Reports, computed from conversation rows: pure functions, no clock, no I/O.
 *
 * Each conversation counts on the day (in the report's time zone) it was first queued, and for the agent it
 * is assigned to now (the one who resolved it, for resolved ones). Durations start when the visitor was
 * queued: wait to assignment ends at assignedAt, first response at the first agent reply, resolution at
 * resolvedAt. Percentiles interpolate linearly between closest ranks (the median of 1 and 2 is 1.5).
 */
import type { DurationStats, Report, ReportRow } from '../contract/admin.ts';
import { botReport, type ReportBotAnswer, type ReportHandoff } from './bot-report.ts';
import type { ReportConversation } from './ports.ts';

export type GroupBy = Report['groupBy'];

export interface ReportAgent {
  id: string;
  name: string;
  active: boolean;
}

export interface ReportInput {
  from: string;
  to: string;
  groupBy: GroupBy;
  timezone: string;
  conversations: readonly ReportConversation[];
  agents: readonly ReportAgent[];
  /** Agent ids of bots, and the handoffs bots made (system lines), for the bots part. */
  botAgentIds?: ReadonlySet<string>;
  handoffs?: readonly ReportHandoff[];
  botAnswers?: readonly ReportBotAnswer[];
}

export const UNASSIGNED_KEY = 'unassigned';
/** Longest range a report may cover, in days. */
export const MAX_REPORT_DAYS = 366;

const DAY_MS = 86_400_000;
/** No time zone is more than 14 hours from UTC: a query window this much wider covers every local day. */
const ZONE_SLACK_MS = 14 * 3_600_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** A real calendar date written YYYY-MM-DD. */
export function isValidDate(date: string): boolean {
  const match = DATE.exec(date);
  if (!match) return false;
  const parsed = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return parsed.toISOString().slice(0, 10) === date;
}

/** Every date from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * Formatters by canonical zone name only: a zone has countless spellings ("europe/PARIS"), and a cache keyed by
 * what requests send would grow without bound; keyed by name it holds at most one per zone that exists.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's canonical name ("europe/paris" is "Europe/Paris"), which reports state and formatters are cached by. */
export function canonicalTimeZone(timezone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone (fast when given its canonical name). */
export function dayKey(at: Date, timezone: string): string {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (format.resolvedOptions().timeZone === timezone) formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The UTC window to load so that every local day from `from` to `to` is complete; rows are filtered after. */
export function queryWindow(from: string, to: string): { queuedFrom: Date; queuedTo: Date } {
  return {
    queuedFrom: new Date(Date.parse(`${from}T00:00:00Z`) - ZONE_SLACK_MS),
    queuedTo: new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS + ZONE_SLACK_MS),
  };
}

/** The p-quantile (0..1) of ascending values, interpolated between closest ranks; null for no values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (sorted.length - 1) * p;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return { count: sorted.length, medianMs: round(percentile(sorted, 0.5)), p90Ms: round(percentile(sorted, 0.9)) };
}

const since = (start: Date, end: Date | null): number | null => (end ? Math.max(0, end.getTime() - start.getTime()) : null);

function row(key: string, label: string, conversations: readonly ReportConversation[]): ReportRow {
  const collect = (pick: (c: ReportConversation) => number | null) =>
    conversations.map(pick).filter((v): v is number => v !== null);
  const ratings = collect((c) => c.rating);
  return {
    key,
    label,
    conversations: conversations.length,
    resolved: conversations.filter((c) => c.status === 'resolved').length,
    waitToAssignment: durationStats(collect((c) => since(c.queuedAt, c.assignedAt))),
    firstResponse: durationStats(collect((c) => since(c.queuedAt, c.firstResponseAt))),
    resolution: durationStats(collect((c) => (c.status === 'resolved' ? since(c.queuedAt, c.resolvedAt) : null))),
    ratingAverage: ratings.length === 0 ? null : Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100,
    ratings: ratings.length,
  };
}

export function computeReport(input: ReportInput): Report {
  const { from, to, groupBy } = input;
  const timezone = canonicalTimeZone(input.timezone);
  const inRange = input.conversations
    .map((c) => ({ c, day: dayKey(c.queuedAt, timezone) }))
    .filter(({ day }) => day >= from && day <= to);
  const groups = new Map<string, ReportConversation[]>();
  const add = (key: string, c: ReportConversation) => {
    const list = groups.get(key);
    if (list) list.push(c);
    else groups.set(key, [c]);
  };
  let rows: ReportRow[];
  if (groupBy === 'day') {
    for (const { c, day } of inRange) add(day, c);
    rows = daysBetween(from, to).map((day) => row(day, day, groups.get(day) ?? []));
  } else {
    for (const { c } of inRange) add(c.assigneeId ?? UNASSIGNED_KEY, c);
    const names = new Map(input.agents.map((a) => [a.id, a.name]));
    const keys = new Set([...input.agents.filter((a) => a.active).map((a) => a.id), ...groups.keys()]);
    rows = [...keys]
      .map((key) => row(key, key === UNASSIGNED_KEY ? 'Unassigned' : (names.get(key) ?? key), groups.get(key) ?? []))
      .sort((a, b) => b.conversations - a.conversations || a.label.localeCompare(b.label));
  }
  const all = inRange.map(({ c }) => c);
  return { from, to, groupBy, timezone, totals: row('total', 'Total', all), rows, bots: botReport(all, input.botAgentIds ?? new Set(), input.handoffs ?? [], input.botAnswers ?? []) };
}

const CSV_HEADER = [
  'key',
  'label',
  'conversations',
  'resolved',
  'wait_to_assignment_count',
  'wait_to_assignment_median_ms',
  'wait_to_assignment_p90_ms',
  'first_response_count',
  'first_response_median_ms',
  'first_response_p90_ms',
  'resolution_count',
  'resolution_median_ms',
  'resolution_p90_ms',
  'rating_average',
  'ratings',
];

/** A CSV cell: quoted when needed, and text that a spreadsheet would run as a formula is defused. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The report as CSV lines (each ending in CRLF), produced one at a time so an answer can stream them. */
export function* reportCsvLines(report: Report): Generator<string> {
  const line = (r: ReportRow) =>
    [
      r.key,
      r.label,
      r.conversations,
      r.resolved,
      ...[r.waitToAssignment, r.firstResponse, r.resolution].flatMap((s) => [s.count, s.medianMs, s.p90Ms]),
      r.ratingAverage,
      r.ratings,
    ]
      .map(cell)
      .join(',') + '\r\n';
  yield CSV_HEADER.join(',') + '\r\n';
  for (const row of report.rows) yield line(row);
  yield line(report.totals);
}

export function reportCsv(report: Report): string {
  return [...reportCsvLines(report)].join('');
}
