/** Whether an instant falls inside an agent's quiet hours, read on the wall clock of their time zone. */
import type { QuietHours } from '../contract/alerts.ts';

/** Minutes after local midnight in `timeZone` at `epochMs` (daylight saving included, through Intl). */
export function localMinutes(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(epochMs);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return value('hour') * 60 + value('minute');
}

/** `from` inclusive, `to` exclusive; `from` > `to` spans midnight; equal means none. */
export function inQuietHours(quiet: QuietHours | null, timeZone: string, epochMs: number): boolean {
  if (!quiet || quiet.from === quiet.to) return false;
  const now = localMinutes(epochMs, timeZone);
  return quiet.from < quiet.to ? now >= quiet.from && now < quiet.to : now >= quiet.from || now < quiet.to;
}

