import { describe, expect, it } from 'vitest';
import type { ReportConversation } from '../../../server/app/ports.ts';
import {
  computeReport, dayKey, daysBetween, durationStats, isValidDate, percentile, queryWindow, reportCsv, UNASSIGNED_KEY,
} from '../../../server/app/reports.ts';

const MIN = 60_000;

let n = 0;
function conv(queuedAt: string, opts: Partial<Omit<ReportConversation, 'queuedAt'>> & { waitMin?: number; firstMin?: number; resolveMin?: number } = {}): ReportConversation {
  const q = new Date(queuedAt);
  const at = (m: number | undefined) => (m === undefined ? null : new Date(q.getTime() + m * MIN));
  return {
    id: `c${++n}`,
    siteId: 's1',
    status: opts.status ?? (opts.resolveMin !== undefined ? 'resolved' : opts.waitMin !== undefined ? 'active' : 'queued'),
    assigneeId: opts.assigneeId ?? (opts.waitMin !== undefined ? 'a1' : null),
    queuedAt: q,
    assignedAt: at(opts.waitMin),
    firstResponseAt: at(opts.firstMin),
    resolvedAt: at(opts.resolveMin),
    rating: opts.rating ?? null,
  };
}

const agents = [
  { id: 'a1', name: 'Ann', active: true },
  { id: 'a2', name: 'Bo', active: true },
  { id: 'a3', name: 'Gone', active: false },
];

describe('percentiles', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.5, 7],
    [[7], 0.9, 7],
    [[1, 2], 0.5, 1.5],
    [[1, 2, 3], 0.5, 2],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5.5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
    [[0, 100], 0.9, 90],
  ])('percentile(%j, %d) = %s', (values, p, expected) => {
    const got = percentile(values, p);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 9);
  });

  it('sorts its input and rounds to whole milliseconds', () => {
    expect(durationStats([10, 1, 5.4])).toEqual({ count: 3, medianMs: 5, p90Ms: 9 });
    expect(durationStats([])).toEqual({ count: 0, medianMs: null, p90Ms: null });
  });
});

describe('days and time zones', () => {
  it('validates dates', () => {
    expect(isValidDate('2026-02-28')).toBe(true);
    expect(isValidDate('2026-02-30')).toBe(false);
    expect(isValidDate('2026-2-3')).toBe(false);
  });

  it('lists every day of a range, across month ends', () => {
    expect(daysBetween('2026-01-30', '2026-02-02')).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02']);
    expect(daysBetween('2026-03-01', '2026-03-01')).toEqual(['2026-03-01']);
  });

  it('puts an instant on its local day', () => {
    const instant = new Date('2026-03-01T20:30:00Z');
    expect(dayKey(instant, 'UTC')).toBe('2026-03-01');
    expect(dayKey(instant, 'Asia/Shanghai')).toBe('2026-03-02');
    expect(dayKey(new Date('2026-03-01T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-02-28');
  });

  it('loads a window wide enough for any zone', () => {
    const { queuedFrom, queuedTo } = queryWindow('2026-03-01', '2026-03-02');
    expect(queuedFrom.toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(queuedTo.toISOString()).toBe('2026-03-03T14:00:00.000Z');
  });
});

describe('computeReport', () => {
  const rows = [
    conv('2026-03-01T09:00:00Z', { waitMin: 1, firstMin: 2, resolveMin: 10, rating: 5 }),
    conv('2026-03-01T10:00:00Z', { waitMin: 3, firstMin: 4, resolveMin: 30, rating: 4, assigneeId: 'a2' }),
    conv('2026-03-01T11:00:00Z', { waitMin: 5, firstMin: 8 }),
    conv('2026-03-03T23:30:00Z'),
    // Outside the range in UTC:
    conv('2026-02-28T23:59:00Z', { waitMin: 100 }),
    conv('2026-03-04T00:00:00Z', { waitMin: 100 }),
  ];

  it('groups by day, filling days without conversations, with totals', () => {
    const report = computeReport({ from: '2026-03-01', to: '2026-03-03', groupBy: 'day', timezone: 'UTC', conversations: rows, agents });
    expect(report.rows.map((r) => [r.key, r.conversations])).toEqual([
      ['2026-03-01', 3],
      ['2026-03-02', 0],
      ['2026-03-03', 1],
    ]);
    const first = report.rows[0]!;
    expect(first.resolved).toBe(2);
    expect(first.waitToAssignment).toEqual({ count: 3, medianMs: 3 * MIN, p90Ms: 4.6 * MIN });
    expect(first.firstResponse).toEqual({ count: 3, medianMs: 4 * MIN, p90Ms: 7.2 * MIN });
    expect(first.resolution).toEqual({ count: 2, medianMs: 20 * MIN, p90Ms: 28 * MIN });
    expect(first.ratingAverage).toBe(4.5);
    expect(first.ratings).toBe(2);
    expect(report.rows[1]!.waitToAssignment).toEqual({ count: 0, medianMs: null, p90Ms: null });
    expect(report.rows[1]!.ratingAverage).toBeNull();
    expect(report.totals.conversations).toBe(4);
    expect(report.totals.key).toBe('total');
  });

  it('uses the requested time zone for the day boundaries', () => {
    const report = computeReport({ from: '2026-03-01', to: '2026-03-03', groupBy: 'day', timezone: 'Asia/Shanghai', conversations: rows, agents });
    // 2026-02-28T23:59Z is 07:59 on 1 March in Shanghai; 2026-03-03T23:30Z is already 4 March there.
    expect(report.rows.map((r) => r.conversations)).toEqual([4, 0, 0]);
    expect(report.totals.conversations).toBe(4);
  });

  it('states the zone by its canonical name, however the request spelled it (the formatter cache is keyed by it)', () => {
    const report = computeReport({ from: '2026-03-01', to: '2026-03-03', groupBy: 'day', timezone: 'asia/SHANGHAI', conversations: rows, agents });
    expect(report.timezone).toBe('Asia/Shanghai');
    expect(report.rows.map((r) => r.conversations)).toEqual([4, 0, 0]);
  });

  it('groups by agent, naming them, with active agents shown even without work and the unassigned apart', () => {
    const report = computeReport({ from: '2026-03-01', to: '2026-03-03', groupBy: 'agent', timezone: 'UTC', conversations: rows, agents });
    expect(report.rows.map((r) => [r.key, r.label, r.conversations])).toEqual([
      ['a1', 'Ann', 2],
      ['a2', 'Bo', 1],
      [UNASSIGNED_KEY, 'Unassigned', 1],
    ]);
    expect(report.rows[0]!.ratingAverage).toBe(5);
  });

  it('ignores a negative duration (clock skew) as zero rather than a bogus figure', () => {
    const skewed = conv('2026-03-01T09:00:00Z', { waitMin: -1 });
    const report = computeReport({ from: '2026-03-01', to: '2026-03-01', groupBy: 'day', timezone: 'UTC', conversations: [skewed], agents: [] });
    expect(report.rows[0]!.waitToAssignment.medianMs).toBe(0);
  });
});

describe('reportCsv', () => {
  it('writes a header, one line per row and the totals, defusing formulas', () => {
    const rows = [conv('2026-03-01T09:00:00Z', { waitMin: 1, assigneeId: 'x' })];
    const report = computeReport({
      from: '2026-03-01',
      to: '2026-03-01',
      groupBy: 'agent',
      timezone: 'UTC',
      conversations: rows,
      agents: [{ id: 'x', name: '=HYPERLINK("evil"), Inc', active: true }],
    });
    const lines = reportCsv(report).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(',')[0]).toBe('key');
    expect(lines[1]).toBe(`x,"'=HYPERLINK(""evil""), Inc",1,0,1,60000,60000,0,,,0,,,,0`);
    expect(lines[2]!.startsWith('total,Total,1,')).toBe(true);
  });
});
