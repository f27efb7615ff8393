/** The Grafana dashboard in ops/grafana reads only metrics Parley exports, with every panel querying something. */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainEvents } from '../../../server/app/events.ts';
import { wallClock } from '../../../server/domain/clock.ts';
import { Metrics } from '../../../server/metrics/metrics.ts';

interface Panel {
  title: string;
  targets: { expr: string }[];
}

const dashboard = JSON.parse(readFileSync(new URL('../../../ops/grafana/parley.json', import.meta.url), 'utf8')) as { uid: string; panels: Panel[] };
/** Histograms are queried through the series they expose. */
const SERIES_SUFFIX = /_(bucket|sum|count)$/;

function exportedNames(): Set<string> {
  // Names only: no scrape, so the sources are never read.
  const metrics = new Metrics({
    events: new DomainEvents(pino({ level: 'silent' })),
    clock: wallClock,
    connected: () => ({ visitors: 0, agents: 0 }),
    waitingLines: () => [],
    role: () => 'single',
    jobCounts: async () => [],
  });
  return new Set(metrics.registry.getMetricsAsArray().map((m) => m.name));
}

describe('Grafana dashboard', () => {
  it('is a dashboard whose every panel has a query', () => {
    expect(dashboard.uid).toBe('parley');
    expect(dashboard.panels.length).toBeGreaterThan(0);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      expect(panel.targets.map((t) => t.expr.trim()), panel.title).not.toContain('');
    }
  });

  it('names only metrics Parley exports', () => {
    const exported = exportedNames();
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\b(parley|nodejs)_[a-z0-9_]+/g) ?? []));
    const unknown = used.filter((name) => !exported.has(name) && !exported.has(name.replace(SERIES_SUFFIX, '')));
    expect(used.length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('reads every metric of Parley’s own', () => {
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => (t.expr.match(/\bparley_[a-z0-9_]+/g) ?? []).map((n) => n.replace(SERIES_SUFFIX, '')))));
    const own = [...exportedNames()].filter((name) => name.startsWith('parley_'));
    expect(own.filter((name) => !used.has(name))).toEqual([]);
  });
});
