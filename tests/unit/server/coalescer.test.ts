import { describe, expect, it } from 'vitest';
import { Coalescer, oneTransactionOrEach, readByKey } from '../../../server/app/coalescer.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A batch runner the test finishes by hand. */
function manual(overlapping = false) {
  const batches: { items: number[]; finish: () => void }[] = [];
  const run = (items: number[]) =>
    new Promise<PromiseSettledResult<number>[]>((resolve) => {
      batches.push({ items, finish: () => resolve(items.map((i) => (i < 0 ? { status: 'rejected', reason: new Error(`bad ${i}`) } : { status: 'fulfilled', value: i * 10 }))) });
    });
  return { batches, coalescer: new Coalescer(run, 200, overlapping) };
}

describe('Coalescer', () => {
  it('runs what arrived in one turn as one batch, and what arrives meanwhile as the next', async () => {
    const { batches, coalescer } = manual();
    const first = [1, 2, 3].map((i) => coalescer.add(i));
    expect(batches).toHaveLength(0);
    await nextTurn();
    const second = [4, 5].map((i) => coalescer.add(i));
    await nextTurn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]); // one batch at a time
    batches[0]!.finish();
    expect(await Promise.all(first)).toEqual([10, 20, 30]);
    await nextTurn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3], [4, 5]]);
    batches[1]!.finish();
    expect(await Promise.all(second)).toEqual([40, 50]);
  });

  it('overlapping, sends what arrives in each turn as its own batch without waiting for the one before', async () => {
    const { batches, coalescer } = manual(true);
    const first = [1, 2].map((i) => coalescer.add(i));
    await nextTurn();
    const second = [3].map((i) => coalescer.add(i));
    await nextTurn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2], [3]]);
    batches[1]!.finish();
    expect(await Promise.all(second)).toEqual([30]);
    batches[0]!.finish();
    expect(await Promise.all(first)).toEqual([10, 20]);
  });

  it('fails an item alone when the batch says so', async () => {
    const { batches, coalescer } = manual();
    const results = Promise.allSettled([coalescer.add(1), coalescer.add(-1)]);
    await nextTurn();
    batches[0]!.finish();
    expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('rejects every item of a batch that throws, and goes on with the next', async () => {
    let calls = 0;
    const coalescer = new Coalescer<number, number>(async (items) => {
      if (calls++ === 0) throw new Error('down');
      return items.map((value) => ({ status: 'fulfilled', value }));
    });
    expect((await Promise.allSettled([coalescer.add(1), coalescer.add(2)])).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await coalescer.add(3)).toBe(3);
  });
});

describe('readByKey', () => {
  it('reads each key once and answers every caller, null for a missing row', async () => {
    const asked: string[][] = [];
    const run = readByKey(async (keys) => (asked.push(keys), keys.filter((k) => k !== 'gone').map((id) => ({ id }))), (row) => row.id);
    const outcomes = await run(['a', 'b', 'a', 'gone']);
    expect(asked).toEqual([['a', 'b', 'gone']]);
    expect(outcomes.map((o) => o.status === 'fulfilled' && o.value)).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'a' }, null]);
  });
});

describe('oneTransactionOrEach', () => {
  it('writes all together, or each alone when together fails, so only the bad item fails', async () => {
    const alone: number[] = [];
    const run = oneTransactionOrEach(
      async (items: number[]) => {
        if (items.includes(-1)) throw new Error('rolled back');
        return items;
      },
      async (item: number) => {
        alone.push(item);
        if (item < 0) throw new Error('bad');
        return item;
      },
    );
    expect((await run([1, 2])).map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(alone).toEqual([]);
    expect((await run([1, -1, 2])).map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(alone).toEqual([1, -1, 2]);
  });
});
