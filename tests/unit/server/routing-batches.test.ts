import { describe, expect, it } from 'vitest';
import { mergeInOrder } from '../../../server/app/routing-batches.ts';
import { SerialQueue, TurnBatch } from '../../../server/app/serial.ts';
import type { Decision } from '../../../server/domain/routing.ts';

const assign = (conversationId: string, agentId = 'a1') => ({ conversationId, agentId, siteId: 's1', waitedMs: 0 });
const requeue = (conversationId: string, fromAgentId = 'a1') => ({ conversationId, fromAgentId, siteId: 's1' });
const decision = (d: Partial<Decision>): Decision => ({ assigned: [], requeued: [], queueChanged: [], ...d });

describe('TurnBatch', () => {
  it('handles what arrives while the queue is busy in one turn, and fails items alone', async () => {
    const serial = new SerialQueue();
    const turns: number[][] = [];
    const batch = new TurnBatch(serial, async (items: number[]) => {
      turns.push(items);
      return items.map((i): PromiseSettledResult<number> => (i < 0 ? { status: 'rejected', reason: new Error('bad') } : { status: 'fulfilled', value: i * 2 }));
    });
    let release!: () => void;
    const busy = serial.run(() => new Promise<void>((resolve) => (release = resolve)));
    const answers = Promise.allSettled([batch.add(1), batch.add(-1), batch.add(3)]);
    await Promise.resolve();
    expect(turns).toEqual([]); // the queue is busy: nothing handled yet
    release();
    await busy;
    expect((await answers).map((a) => (a.status === 'fulfilled' ? a.value : 'failed'))).toEqual([2, 'failed', 6]);
    expect(turns).toEqual([[1, -1, 3]]);
    expect(await batch.add(5)).toBe(10);
    expect(turns).toEqual([[1, -1, 3], [5]]);
  });
});

describe('mergeInOrder', () => {
  it('merges decisions that requeue nothing into the one before, so assignments are written together', () => {
    const merged = mergeInOrder([
      decision({ assigned: [assign('c1')], queueChanged: ['s2'] }),
      decision({ assigned: [assign('c2', 'a2'), assign('c3', 'a2')], queueChanged: ['s1', 's2'] }),
    ]);
    expect(merged).toEqual([decision({ assigned: [assign('c1'), assign('c2', 'a2'), assign('c3', 'a2')], queueChanged: ['s1', 's2'] })]);
  });

  it('starts a new decision at every requeue, so a requeue is never written before the assignment it undoes', () => {
    const merged = mergeInOrder([
      decision({ requeued: [requeue('c0')], assigned: [assign('c1')] }),
      decision({ assigned: [assign('c2')] }),
      decision({ requeued: [requeue('c1')], assigned: [assign('c1', 'a2')] }),
    ]);
    expect(merged).toEqual([
      decision({ requeued: [requeue('c0')], assigned: [assign('c1'), assign('c2')] }),
      decision({ requeued: [requeue('c1')], assigned: [assign('c1', 'a2')] }),
    ]);
  });
});
