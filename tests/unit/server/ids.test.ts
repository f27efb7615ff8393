import { describe, expect, it } from 'vitest';
import { newId, timeOrderedId } from '../../../server/app/ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  it('are RFC 9562 version 7 UUIDs carrying the time they were made', () => {
    const id = timeOrderedId(Date.UTC(2026, 11, 2, 1, 40));
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 11, 2, 1, 40));
    expect(newId()).toMatch(UUID_V7);
  });

  it('sort by the time they were made, and never repeat', () => {
    const start = Date.UTC(2026, 0, 1);
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(start + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 10_000 }, () => newId())).size).toBe(10_000);
  });
});
