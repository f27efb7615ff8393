import { describe, expect, it } from 'vitest';
import { MAX_VISITOR_ATTRIBUTE_BYTES, MAX_VISITOR_ATTRIBUTES } from '../../../server/contract/events.ts';
import { mergeAttributes } from '../../../server/domain/visitor-profile.ts';

const keys = (count: number, value: string | number = 1) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));

describe('mergeAttributes', () => {
  it('merges, removes with null, and reports only the keys that really changed', () => {
    const merged = mergeAttributes({ plan: 'pro', seats: 3, old: true }, { plan: 'pro', seats: 4, old: null, gone: null, trial: true });
    expect(merged).toEqual({ ok: true, attributes: { plan: 'pro', seats: 4, trial: true }, changed: { seats: 4, old: null, trial: true } });
  });

  it('refuses to grow past the key or byte cap, counting what is stored', () => {
    expect(mergeAttributes(keys(MAX_VISITOR_ATTRIBUTES), { one: 'more' })).toMatchObject({ ok: false, reason: expect.stringMatching(/at most 50 attributes/) });
    const nearlyFull = { big: 'x'.repeat(MAX_VISITOR_ATTRIBUTE_BYTES - 100) };
    expect(mergeAttributes(nearlyFull, { more: 'y'.repeat(100) })).toMatchObject({ ok: false, reason: expect.stringMatching(/bytes/) });
    // Multi-byte characters count as the bytes they take.
    expect(mergeAttributes({}, { wide: '字'.repeat(MAX_VISITOR_ATTRIBUTE_BYTES / 3) })).toMatchObject({ ok: false });
  });

  it('lets a map stored over the caps (before they existed) shrink or change without growing', () => {
    const over = keys(MAX_VISITOR_ATTRIBUTES + 10);
    expect(mergeAttributes(over, { k0: null, k1: 2 })).toMatchObject({ ok: true, changed: { k0: null, k1: 2 } });
    expect(mergeAttributes(over, { extra: 1 })).toMatchObject({ ok: false });
  });
});
