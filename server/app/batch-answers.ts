/** Answering callers whose items were handled together (TurnBatch, the store's Coalescer). */

/** A caller waiting for its item's answer. */
export interface Waiting<I, R> {
  item: I;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/** Handles the items in one go and answers each caller with its own outcome; if the handling throws, every caller gets that error. */
export async function answerBatch<I, R>(batch: Waiting<I, R>[], handle: (items: I[]) => Promise<PromiseSettledResult<R>[]>): Promise<void> {
  try {
    const outcomes = await handle(batch.map((w) => w.item));
    batch.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if (outcome.status === 'fulfilled') w.resolve(outcome.value);
      else w.reject(outcome.reason);
    });
  } catch (error) {
    for (const w of batch) w.reject(error);
  }
}
