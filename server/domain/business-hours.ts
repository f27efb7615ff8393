/** Whether a site is inside its business hours at a given instant. Pure: the instant is passed in. */
import type { BusinessHours, Weekday } from '../contract/dto.ts';

const WEEKDAYS: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };

/** Minutes since midnight for "HH:MM", or null when malformed. */
export function minutesOf(time: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Local weekday and minute of `at` in `timezone` (an IANA name). Throws RangeError on an unknown zone. */
export function localTime(at: number, timezone: string): { day: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(at));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: WEEKDAYS[part('weekday')]!, minute: Number(part('hour')) * 60 + Number(part('minute')) };
}

/**
 * Open when hours are disabled, or `at` falls in [open, close) of that local day. A close earlier than the
 * open time runs past midnight (e.g. 22:00 to 02:00), counted on the day it opened.
 */
export function isOpen(hours: BusinessHours, at: number): boolean {
  if (!hours.enabled) return true;
  let local: { day: Weekday; minute: number };
  try {
    local = localTime(at, hours.timezone);
  } catch {
    return true; // a bad zone must not silently close the site; admins validate zones on save
  }
  const order: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const yesterday = order[(order.indexOf(local.day) + 6) % 7]!;
  const within = (day: Weekday, minute: number, overnightPart: boolean) => {
    const span = hours.days[day];
    const open = span && minutesOf(span.open);
    const close = span && minutesOf(span.close);
    if (open == null || close == null) return false;
    if (close > open) return !overnightPart && minute >= open && minute < close;
    // Overnight span: today's evening part, or yesterday's span continuing after midnight.
    return overnightPart ? minute < close : minute >= open;
  };
  return within(local.day, local.minute, false) || within(yesterday, local.minute, true);
}
