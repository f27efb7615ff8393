import { describe, expect, it } from 'vitest';
import type { AppendResult, NewMessage } from '../../../server/app/ports.ts';
import { fulfilled, GroupCommit, type Append, type Outcome } from '../../../server/db/group-commit.ts';

const message = (body: string): NewMessage => ({ authorKind: 'visitor', authorId: 'v1', body, clientId: body });
const stored = (a: Append) => ({ message: { body: a.message.body } }) as unknown as AppendResult;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A writer whose batches the test finishes by hand: `ready` and `commit` for each, in the order they came. */
class ManualWriter {
  readonly batches: { bodies: string[]; ready: () => void; commit: () => void; fail: (error: Error) => void }[] = [];

  readonly write = (appends: Append[], ready: () => void): Promise<Outcome[]> =>
    new Promise((resolve, reject) => {
      this.batches.push({
        bodies: appends.map((a) => a.message.body),
        ready,
        commit: () => resolve(appends.map((a) => fulfilled(stored(a)))),
        fail: reject,
      });
    });

  bodies(): string[][] {
    return this.batches.map((b) => b.bodies);
  }
}

/** A group commit whose writer has 'a', its first batch. */
async function writingA() {
  const writer = new ManualWriter();
  const commit = new GroupCommit(writer.write);
  const first = commit.append('c1', message('a'), {});
  await nextTurn();
  return { writer, commit, first };
}

describe('GroupCommit', () => {
  it('writes what arrived in one turn of the event loop as one batch', async () => {
    const writer = new ManualWriter();
    const commit = new GroupCommit(writer.write);
    const sends = ['a', 'b', 'c'].map((body) => commit.append('c1', message(body), {}));
    expect(writer.batches).toHaveLength(0); // not before the turn ends
    await nextTurn();
    expect(writer.bodies()).toEqual([['a', 'b', 'c']]);
    writer.batches[0]!.commit();
    expect((await Promise.all(sends)).map((r) => r?.message.body)).toEqual(['a', 'b', 'c']);
  });

  it('hands over the next batch when the last one is written, or as soon as the writer is ready', async () => {
    const { writer, commit, first } = await writingA();
    const second = commit.append('c1', message('b'), {});
    await nextTurn();
    expect(writer.bodies()).toEqual([['a']]); // the writer is busy and not ready: 'b' waits
    writer.batches[0]!.ready();
    expect(writer.bodies()).toEqual([['a'], ['b']]);

    const third = commit.append('c1', message('c'), {});
    const settled: string[] = [];
    for (const [name, send] of [['a', first], ['b', second], ['c', third]] as const) void send.then(() => settled.push(name));
    writer.batches[0]!.commit(); // ready already handed 'b' over: 'c' waits for b
    await nextTurn();
    expect(writer.bodies()).toEqual([['a'], ['b']]);
    expect(settled).toEqual(['a']);
    writer.batches[1]!.commit(); // committed without saying ready first: the next batch goes now
    await second;
    expect(writer.bodies()).toEqual([['a'], ['b'], ['c']]);
    writer.batches[2]!.commit();
    await third;
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('fails only the batch whose transaction failed, and writes the next', async () => {
    const { writer, commit, first } = await writingA();
    const second = commit.append('c1', message('b'), {});
    writer.batches[0]!.fail(new Error('disk I/O error'));
    await expect(first).rejects.toThrow('disk I/O error');
    expect(writer.bodies()).toEqual([['a'], ['b']]);
    writer.batches[1]!.commit();
    expect((await second)?.message.body).toBe('b');
  });

  it('cuts batches at maxBatch', async () => {
    const writer = new ManualWriter();
    const commit = new GroupCommit(writer.write, { maxBatch: 2 });
    const sends = ['a', 'b', 'c'].map((body) => commit.append('c1', message(body), {}));
    await nextTurn();
    expect(writer.bodies()).toEqual([['a', 'b']]);
    writer.batches[0]!.commit();
    await sends[0];
    expect(writer.bodies()).toEqual([['a', 'b'], ['c']]);
    writer.batches[1]!.commit();
    await Promise.all(sends);
  });

  it('tells its observer the size of every batch once written, failed ones too', async () => {
    const writer = new ManualWriter();
    const sizes: number[] = [];
    const commit = new GroupCommit(writer.write, { onBatch: (size) => sizes.push(size) });
    const firstBatch = ['a', 'b'].map((body) => commit.append('c1', message(body), {}));
    await nextTurn();
    expect(sizes).toEqual([]); // not before it is written
    writer.batches[0]!.commit();
    await Promise.all(firstBatch);
    const failing = commit.append('c1', message('c'), {});
    await nextTurn();
    writer.batches[1]!.fail(new Error('disk full'));
    await expect(failing).rejects.toThrow('disk full');
    expect(sizes).toEqual([2, 1]);
  });
});
