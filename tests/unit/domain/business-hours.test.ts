import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../../server/contract/dto.ts';
import { isOpen, minutesOf } from '../../../server/domain/business-hours.ts';

const at = (iso: string) => Date.parse(iso);
const weekdays9to17: BusinessHours = {
  enabled: true,
  timezone: 'Asia/Shanghai',
  days: { mon: { open: '09:00', close: '17:00' }, tue: { open: '09:00', close: '17:00' } },
};

describe('business hours', () => {
  it.each([
    // 2026-11-23 is a Monday. Shanghai is UTC+8.
    ['2026-11-23T01:00:00Z', true], // Mon 09:00 local: opens
    ['2026-11-23T08:59:00Z', true], // Mon 16:59 local
    ['2026-11-23T09:00:00Z', false], // Mon 17:00 local: closed (close is exclusive)
    ['2026-11-23T00:59:00Z', false], // Mon 08:59 local
    ['2026-11-25T03:00:00Z', false], // Wed: not listed, closed
    ['2026-11-24T02:00:00Z', true], // Tue 10:00 local
  ])('at %s open is %s', (iso, expected) => {
    expect(isOpen(weekdays9to17, at(iso))).toBe(expected);
  });

  it('counts an overnight span on the day it opened', () => {
    const nights: BusinessHours = { enabled: true, timezone: 'UTC', days: { fri: { open: '22:00', close: '02:00' } } };
    expect(isOpen(nights, at('2026-11-27T23:00:00Z'))).toBe(true); // Fri 23:00
    expect(isOpen(nights, at('2026-11-28T01:30:00Z'))).toBe(true); // Sat 01:30, Friday's night
    expect(isOpen(nights, at('2026-11-28T02:00:00Z'))).toBe(false);
    expect(isOpen(nights, at('2026-11-27T21:59:00Z'))).toBe(false);
    expect(isOpen(nights, at('2026-11-29T01:00:00Z'))).toBe(false); // Sun 01:00: Saturday has no night
  });

  it('is always open when disabled, and stays open rather than fail on a bad zone', () => {
    expect(isOpen({ ...weekdays9to17, enabled: false }, at('2026-11-25T03:00:00Z'))).toBe(true);
    expect(isOpen({ ...weekdays9to17, timezone: 'Mars/Olympus' }, at('2026-11-25T03:00:00Z'))).toBe(true);
  });

  it('parses HH:MM strictly', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('23:59')).toBe(1439);
    for (const bad of ['24:00', '9:00', '12:60', 'noon', '']) expect(minutesOf(bad)).toBeNull();
  });
});
