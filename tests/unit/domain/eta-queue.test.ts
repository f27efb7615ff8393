import { describe, expect, it } from 'vitest';
import { EtaWindow } from '../../../server/domain/eta.ts';
import { SiteQueue, compareQueued } from '../../../server/domain/queue.ts';

describe('EtaWindow', () => {
  it('has no basis without samples', () => {
    const w = new EtaWindow(3);
    expect(w.perSlotMs()).toBeNull();
    expect(EtaWindow.estimate(w.perSlotMs(), 1)).toBeNull();
  });

  it('is sum(waited) / sum(position), times the position', () => {
    const w = new EtaWindow(5);
    w.add({ waitedMs: 30_000, position: 1 });
    w.add({ waitedMs: 90_000, position: 2 });
    expect(w.perSlotMs()).toBe(40_000);
    expect([1, 2, 3].map((p) => EtaWindow.estimate(w.perSlotMs(), p))).toEqual([40_000, 80_000, 120_000]);
  });

  it('keeps only the last N samples', () => {
    const w = new EtaWindow(2);
    w.add({ waitedMs: 1_000_000, position: 1 });
    w.add({ waitedMs: 10, position: 1 });
    w.add({ waitedMs: 30, position: 1 });
    expect(w.perSlotMs()).toBe(20);
  });

  it('ignores instant assignments and nonsense', () => {
    const w = new EtaWindow(5);
    w.add({ waitedMs: 0, position: 1 });
    w.add({ waitedMs: 100, position: 0 });
    w.add({ waitedMs: Number.NaN, position: 1 });
    expect(w.perSlotMs()).toBeNull();
  });

  it('is non-decreasing in position for any samples', () => {
    const w = new EtaWindow(4);
    w.add({ waitedMs: 7, position: 3 });
    w.add({ waitedMs: 11, position: 2 });
    const etas = Array.from({ length: 50 }, (_, i) => EtaWindow.estimate(w.perSlotMs(), i + 1)!);
    for (let i = 1; i < etas.length; i++) expect(etas[i]).toBeGreaterThanOrEqual(etas[i - 1]!);
  });
});

describe('SiteQueue', () => {
  it.each([
    { name: 'by queuedAt', input: [['c', 3], ['a', 1], ['b', 2]], order: ['a', 'b', 'c'] },
    { name: 'ties by id', input: [['z', 5], ['m', 5], ['a', 9]], order: ['m', 'z', 'a'] },
  ] as const)('orders $name', ({ input, order }) => {
    const q = new SiteQueue();
    for (const [id, queuedAt] of input) q.insert({ id, queuedAt });
    expect(q.ids()).toEqual(order);
  });

  it('reports the position taken and removes exact keys only', () => {
    const q = new SiteQueue();
    expect(q.insert({ id: 'b', queuedAt: 2 })).toBe(1);
    expect(q.insert({ id: 'a', queuedAt: 1 })).toBe(1);
    expect(q.insert({ id: 'c', queuedAt: 3 })).toBe(3);
    expect(q.remove({ id: 'b', queuedAt: 99 })).toBe(false);
    expect(q.remove({ id: 'b', queuedAt: 2 })).toBe(true);
    expect(q.ids()).toEqual(['a', 'c']);
    expect(compareQueued({ id: 'a', queuedAt: 1 }, { id: 'a', queuedAt: 1 })).toBe(0);
  });
});
