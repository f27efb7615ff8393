/** The console's catch-up of open transcripts: after a reconnect, and when a conversation change says one is behind. */
import { describe, expect, it } from 'vitest';
import type { MessageDTO } from '../../../server/contract/dto.ts';
import { TranscriptCatchUp } from '../../../console/transcript-catch-up.ts';

const message = (conversationId: string, seq: number) => ({ id: `${conversationId}-${seq}`, conversationId, seq }) as MessageDTO;

/** A source whose fetches wait until the test answers them. */
function setUp() {
  const fetches: { conversationId: string; afterSeq: number; answer(messages: MessageDTO[]): void; fail(): void }[] = [];
  const merged: { conversationId: string; messages: MessageDTO[] }[] = [];
  const catchUp = new TranscriptCatchUp({
    historyAfter: (conversationId, afterSeq) =>
      new Promise((resolve, reject) => fetches.push({ conversationId, afterSeq, answer: resolve, fail: () => reject(new Error('TIMEOUT')) })),
    merge: (conversationId, messages) => merged.push({ conversationId, messages }),
  });
  return { catchUp, fetches, merged };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('TranscriptCatchUp', () => {
  it('fetches what a live transcript missed once, however many changes say so meanwhile, and merges it', async () => {
    const { catchUp, fetches, merged } = setUp();
    catchUp.opened('c1');
    catchUp.loaded('c1', [message('c1', 1), message('c1', 2)]);
    catchUp.heardOf('c1', 3);
    catchUp.heardOf('c1', 4);
    expect(fetches.map(({ conversationId, afterSeq }) => [conversationId, afterSeq])).toEqual([['c1', 2]]);
    fetches[0]!.answer([message('c1', 3), message('c1', 4)]);
    await settled();
    expect(merged).toEqual([{ conversationId: 'c1', messages: [message('c1', 3), message('c1', 4)] }]);
    // Heard now: the same change again fetches nothing; a later one fetches from where the transcript is.
    catchUp.heardOf('c1', 4);
    expect(fetches).toHaveLength(1);
    catchUp.heardOf('c1', 5);
    expect(fetches.map((f) => f.afterSeq)).toEqual([2, 4]);
  });

  it('fetches nothing for what the transcript heard live, nor for a tab not open', () => {
    const { catchUp, fetches } = setUp();
    catchUp.opened('c1');
    catchUp.loaded('c1', [message('c1', 1)]);
    catchUp.received(message('c1', 2));
    catchUp.heardOf('c1', 2);
    catchUp.heardOf('c2', 9);
    catchUp.closed('c1');
    catchUp.heardOf('c1', 3);
    expect(fetches).toEqual([]);
  });

  it('leaves a transcript that is not live (loading, or disconnected) to its load or to the reconnect', () => {
    const { catchUp, fetches } = setUp();
    catchUp.opened('loading');
    catchUp.heardOf('loading', 3);
    catchUp.opened('offline');
    catchUp.loaded('offline', [message('offline', 1)]);
    catchUp.disconnected();
    catchUp.heardOf('offline', 3);
    expect(fetches).toEqual([]);
  });

  it('leaves a failed fetch to the next change, and drops an answer for a tab closed meanwhile', async () => {
    const { catchUp, fetches, merged } = setUp();
    catchUp.opened('c1');
    catchUp.loaded('c1', [message('c1', 1)]);
    catchUp.heardOf('c1', 2);
    fetches[0]!.fail();
    await settled();
    catchUp.heardOf('c1', 2);
    expect(fetches.map((f) => f.afterSeq)).toEqual([1, 1]);
    catchUp.closed('c1');
    fetches[1]!.answer([message('c1', 2)]);
    await settled();
    expect(merged).toEqual([]);
  });

  it('after a reconnect, fetches what each loaded transcript missed and leaves one never loaded to a full load', async () => {
    const { catchUp, fetches, merged } = setUp();
    const loads: string[] = [];
    catchUp.opened('loaded');
    catchUp.loaded('loaded', [message('loaded', 5)]);
    catchUp.opened('never');
    catchUp.disconnected();
    const done = catchUp.reconnected(async (id) => void loads.push(id));
    expect(fetches.map(({ conversationId, afterSeq }) => [conversationId, afterSeq])).toEqual([['loaded', 5]]);
    fetches[0]!.answer([message('loaded', 6)]);
    await done;
    expect(merged).toEqual([{ conversationId: 'loaded', messages: [message('loaded', 6)] }]);
    expect(loads).toEqual(['never']);
    // Live again: a later change fetches from what the reconnect brought.
    catchUp.heardOf('loaded', 7);
    expect(fetches.map((f) => f.afterSeq)).toEqual([5, 6]);
  });
});
