import { describe, expect, it } from 'vitest';
import { inQuietHours, localMinutes } from '../../../server/domain/quiet-hours.ts';

const at = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  it('reads the wall clock of the time zone, daylight saving included', () => {
    expect(localMinutes(at('2026-01-15T12:00:00Z'), 'Europe/Paris')).toBe(13 * 60);
    expect(localMinutes(at('2026-07-15T12:00:00Z'), 'Europe/Paris')).toBe(14 * 60);
    expect(localMinutes(at('2026-07-15T23:30:00Z'), 'Asia/Shanghai')).toBe(7 * 60 + 30);
  });

  it('spans midnight when from is after to', () => {
    const night = { from: 22 * 60, to: 7 * 60 };
    expect(inQuietHours(night, 'UTC', at('2026-03-01T23:00:00Z'))).toBe(true);
    expect(inQuietHours(night, 'UTC', at('2026-03-01T06:59:00Z'))).toBe(true);
    expect(inQuietHours(night, 'UTC', at('2026-03-01T07:00:00Z'))).toBe(false);
    expect(inQuietHours(night, 'UTC', at('2026-03-01T21:59:00Z'))).toBe(false);
    // 23:00 UTC is 07:00 the next day in Shanghai: just out of the night there.
    expect(inQuietHours(night, 'Asia/Shanghai', at('2026-03-01T23:00:00Z'))).toBe(false);
  });

  it('is a plain interval when from is before to, and none when equal or absent', () => {
    const lunch = { from: 12 * 60, to: 13 * 60 };
    expect(inQuietHours(lunch, 'UTC', at('2026-03-01T12:30:00Z'))).toBe(true);
    expect(inQuietHours(lunch, 'UTC', at('2026-03-01T13:00:00Z'))).toBe(false);
    expect(inQuietHours({ from: 600, to: 600 }, 'UTC', at('2026-03-01T10:00:00Z'))).toBe(false);
    expect(inQuietHours(null, 'UTC', at('2026-03-01T10:00:00Z'))).toBe(false);
  });
});
