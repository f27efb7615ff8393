/** What the bench's report parts share: target checks, plain-text tables, number formats. */
import type { Summary } from './stats.ts';

export const quantiles = (s: Summary) => [String(s.count), String(s.p50), String(s.p95), String(s.p99), String(s.max)];
export const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run (a quick run, or a section that failed). */
  pass: boolean | null;
}
