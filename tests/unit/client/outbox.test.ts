/** The outbox shared by the widget and the console, over a fake Storage and a scripted server. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AckError } from '../../../client/request.ts';
import {
  Outbox, OUTBOX_MAX_CHARS, OUTBOX_MAX_ENTRIES, OUTBOX_RETRY_ATTEMPTS, OUTBOX_RETRY_MAX_MS, OUTBOX_RETRY_MS, type Pending, type Unsent,
} from '../../../client/outbox.ts';

/** Storage in a Map; `full` makes writes throw as a browser's quota does. */
class FakeStorage implements Storage {
  readonly items = new Map<string, string>();
  full = false;
  get length(): number {
    return this.items.size;
  }
  clear(): void {
    this.items.clear();
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
  setItem(key: string, value: string): void {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError');
    this.items.set(key, value);
  }
}

const KEY = 'parley:outbox:test';
let nextId = 0;
const entry = (body: string): Unsent => ({ clientId: `c${++nextId}`, body, createdAt: nextId });

/** A server that answers each send as the test says: stored, or refused with a code. */
function harness(storage: Storage | null, owner = 'visitor-1') {
  const sent: string[] = [];
  const answers: Array<(outcome: 'ok' | AckError['code'], retryAfterMs?: number) => void> = [];
  let shown: readonly Pending<Unsent>[] | null = null;
  const outbox = new Outbox<Unsent>({
    storage,
    key: KEY,
    owner,
    deliver: (e) =>
      new Promise<void>((resolve, reject) => {
        sent.push(`${e.clientId}:${e.body}`);
        answers.push((outcome, retryAfterMs) =>
          outcome === 'ok' ? resolve() : reject(new AckError(outcome === 'TIMEOUT' ? { code: outcome, message: outcome } : { code: outcome, message: outcome, retryAfterMs })),
        );
      }),
    onChange: (pending) => (shown = pending),
  });
  /** Answers the oldest unanswered send, then lets the outbox go on. */
  const answer = async (outcome: 'ok' | AckError['code'], retryAfterMs?: number): Promise<void> => {
    answers.shift()!(outcome, retryAfterMs);
    if (vi.isFakeTimers()) await vi.advanceTimersByTimeAsync(0);
    else await new Promise((resolve) => setTimeout(resolve, 0));
  };
  // What the view was last told, or what the outbox starts with before any change.
  const view = (): readonly Pending<Unsent>[] => shown ?? outbox.pending;
  return { outbox, sent, answer, shown: () => view().map((p) => `${p.body}:${p.status}${p.error ? `:${p.error}` : ''}`) };
}

const stored = (storage: FakeStorage) => JSON.parse(storage.getItem(KEY) ?? 'null') as { owner: string; entries: Unsent[] } | null;

afterEach(() => {
  vi.useRealTimers();
});

describe('outbox', () => {
  it("owns delivered: the server's answer reaches stored() once the message has left the outbox, in the same task", async () => {
    const storage = new FakeStorage();
    const seen: string[] = [];
    const outbox: Outbox<Unsent, { seq: number }> = new Outbox<Unsent, { seq: number }>({
      storage,
      key: KEY,
      owner: 'visitor-1',
      deliver: async () => ({ seq: 7 }),
      stored: (answer, stored) => seen.push(`${stored.body}:${answer.seq}:pending=${outbox.pending.length}:kept=${storage.getItem(KEY) === null ? 0 : 1}`),
      onChange: () => undefined,
    });
    outbox.online();
    outbox.add(entry('hello'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual(['hello:7:pending=0:kept=0']);
  });

  it('keeps what was written offline across a reload, then sends it once, in order, with the same client ids', async () => {
    const storage = new FakeStorage();
    const before = harness(storage);
    const first = entry('one');
    const second = entry('two');
    before.outbox.add(first);
    before.outbox.add(second);
    expect(before.sent).toEqual([]); // offline: nothing goes
    expect(before.shown()).toEqual(['one:sending', 'two:sending']);

    const after = harness(storage); // the page reloads
    expect(after.shown()).toEqual(['one:sending', 'two:sending']);
    after.outbox.online();
    await after.answer('ok');
    expect(after.sent).toEqual([`${first.clientId}:one`, `${second.clientId}:two`]); // the second waited for the first
    await after.answer('ok');
    expect(after.shown()).toEqual([]);
    expect(storage.getItem(KEY)).toBeNull();
  });

  it('after a lost connection sends again with the same id; a refused message stays failed, also after a reload', async () => {
    const storage = new FakeStorage();
    const { outbox, sent, answer, shown } = harness(storage);
    outbox.online();
    const lost = entry('lost');
    const refused = entry('refused');
    outbox.add(lost);
    outbox.add(refused);
    outbox.offline();
    await answer('TIMEOUT');
    expect(shown()).toEqual(['lost:failed:TIMEOUT', 'refused:sending']);
    expect(sent).toHaveLength(1); // offline: the second waits, it must not overtake the first

    outbox.online();
    await answer('ok');
    await answer('BAD_REQUEST');
    expect(sent).toEqual([`${lost.clientId}:lost`, `${lost.clientId}:lost`, `${refused.clientId}:refused`]);
    expect(shown()).toEqual(['refused:failed:BAD_REQUEST']);

    const reloaded = harness(storage);
    reloaded.outbox.online();
    expect(reloaded.shown()).toEqual(['refused:failed:BAD_REQUEST']);
    expect(reloaded.sent).toEqual([]); // not sent again by itself, but never dropped
    reloaded.outbox.retry(refused.clientId);
    expect(reloaded.sent).toEqual([`${refused.clientId}:refused`]);
  });

  it('a busy server: the refused message shows failed, the next waits behind it, and both go in order on the next connect', async () => {
    const storage = new FakeStorage();
    const { outbox, sent, answer, shown } = harness(storage);
    outbox.online();
    const busy = entry('busy');
    const next = entry('next');
    outbox.add(busy);
    outbox.add(next);
    await answer('UNAVAILABLE');
    expect(shown()).toEqual(['busy:failed:UNAVAILABLE', 'next:sending']);
    expect(sent).toEqual([`${busy.clientId}:busy`]); // the next must not overtake it
    expect(harness(storage).shown()).toEqual(['busy:sending', 'next:sending']); // after a reload both would simply go again

    outbox.offline();
    outbox.online();
    expect(shown()).toEqual(['busy:sending', 'next:sending']);
    await answer('ok');
    await answer('ok');
    expect(sent).toEqual([`${busy.clientId}:busy`, `${busy.clientId}:busy`, `${next.clientId}:next`]);
    expect(shown()).toEqual([]);
  });

  it('while connected, sends what failed for now again after a pause that doubles while it keeps failing', async () => {
    vi.useFakeTimers();
    const { outbox, sent, answer, shown } = harness(new FakeStorage());
    outbox.online();
    const busy = entry('busy');
    outbox.add(busy);
    const pauses: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      await answer(attempt % 2 ? 'TIMEOUT' : 'UNAVAILABLE');
      expect(shown()).toEqual([`busy:failed:${attempt % 2 ? 'TIMEOUT' : 'UNAVAILABLE'}`]);
      const before = sent.length;
      const start = Date.now();
      for (let waited = 0; sent.length === before && waited <= OUTBOX_RETRY_MAX_MS; waited += 100) vi.advanceTimersByTime(100);
      pauses.push(Date.now() - start);
    }
    expect(pauses).toEqual([OUTBOX_RETRY_MS, 10_000, 20_000, 40_000, OUTBOX_RETRY_MAX_MS, OUTBOX_RETRY_MAX_MS]);
    await answer('ok');
    expect(shown()).toEqual([]);
    expect(new Set(sent)).toEqual(new Set([`${busy.clientId}:busy`])); // always the same client id

    // A success starts the pauses over; a limit's retryAfterMs is waited out when longer.
    outbox.add(entry('limited'));
    await answer('RATE_LIMITED', 12_000);
    const before = sent.length;
    vi.advanceTimersByTime(11_999);
    expect(sent).toHaveLength(before);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(before + 1);
  });

  it('gives up trying by itself after a few minutes of failures: the message stays failed, with Retry, and the next goes on', async () => {
    vi.useFakeTimers();
    const { outbox, sent, answer, shown } = harness(new FakeStorage());
    outbox.online();
    const stuck = entry('stuck');
    const next = entry('next');
    outbox.add(stuck);
    outbox.add(next);
    for (let attempt = 1; attempt < OUTBOX_RETRY_ATTEMPTS; attempt++) {
      await answer('INTERNAL');
      await vi.advanceTimersByTimeAsync(OUTBOX_RETRY_MAX_MS);
    }
    expect(sent.filter((s) => s.startsWith(stuck.clientId))).toHaveLength(OUTBOX_RETRY_ATTEMPTS);
    await answer('INTERNAL'); // the last attempt: no more by itself
    expect(sent.at(-1)).toBe(`${next.clientId}:next`);
    await answer('ok');
    await vi.advanceTimersByTimeAsync(OUTBOX_RETRY_MAX_MS * 10);
    expect(shown()).toEqual(['stuck:failed:INTERNAL']);
    expect(sent).toHaveLength(OUTBOX_RETRY_ATTEMPTS + 1);
    outbox.retry(stuck.clientId); // the Retry button
    await answer('ok');
    expect(shown()).toEqual([]);
  });

  it('does not send again by itself what was refused for good, nor while offline', async () => {
    vi.useFakeTimers();
    const { outbox, sent, answer, shown } = harness(new FakeStorage());
    outbox.online();
    outbox.add(entry('refused'));
    await answer('BAD_REQUEST');
    outbox.add(entry('busy'));
    await answer('UNAVAILABLE');
    outbox.offline();
    vi.advanceTimersByTime(OUTBOX_RETRY_MAX_MS * 2);
    expect(sent).toHaveLength(2);
    expect(shown()).toEqual(['refused:failed:BAD_REQUEST', 'busy:failed:UNAVAILABLE']);
    outbox.online(); // the reconnect sends what failed for now at once
    expect(sent).toHaveLength(3);
    await answer('ok');
    vi.advanceTimersByTime(OUTBOX_RETRY_MAX_MS * 2);
    expect(shown()).toEqual(['refused:failed:BAD_REQUEST']);
    expect(sent).toHaveLength(3);
  });

  it('keeps entries another tab stored meanwhile, and drops one delivered elsewhere', async () => {
    const storage = new FakeStorage();
    const tabA = harness(storage);
    const tabB = harness(storage);
    const fromA = entry('from A');
    const fromB = entry('from B');
    tabA.outbox.add(fromA);
    tabB.outbox.add(fromB);
    expect(stored(storage)?.entries.map((e) => e.body)).toEqual(['from A', 'from B']);
    tabB.outbox.delivered(fromA.clientId); // B saw A's message arrive live
    expect(stored(storage)?.entries.map((e) => e.body)).toEqual(['from B']);
    expect(tabA.shown()).toEqual(['from A:sending']); // A still shows it until its own answer
  });

  it("forgets another owner's messages (the next visitor after a shutdown) and follows an identified visitor", () => {
    const storage = new FakeStorage();
    harness(storage, 'visitor-1').outbox.add(entry('private'));
    const next = harness(storage, 'visitor-2');
    expect(next.shown()).toEqual([]);
    expect(storage.getItem(KEY)).toBeNull();

    const identified = harness(storage, 'visitor-2');
    identified.outbox.add(entry('hello'));
    identified.outbox.setOwner('user-7');
    expect(harness(storage, 'user-7').shown()).toEqual(['hello:sending']);
  });

  it('stores at most its bounds, oldest first, and still shows and sends the rest', async () => {
    const storage = new FakeStorage();
    const { outbox, shown, sent, answer } = harness(storage);
    for (let i = 0; i < OUTBOX_MAX_ENTRIES + 5; i++) outbox.add(entry(`m${i}`));
    expect(stored(storage)?.entries).toHaveLength(OUTBOX_MAX_ENTRIES);
    expect(stored(storage)?.entries[0]?.body).toBe('m0');
    expect(shown()).toHaveLength(OUTBOX_MAX_ENTRIES + 5);

    const big = new FakeStorage();
    const long = harness(big);
    for (let i = 0; i < 60; i++) long.outbox.add(entry('x'.repeat(5000)));
    expect(big.getItem(KEY)!.length).toBeLessThanOrEqual(OUTBOX_MAX_CHARS);
    expect(long.shown()).toHaveLength(60);

    outbox.online();
    await answer('ok');
    expect(sent[0]).toMatch(/:m0$/);
  });

  it('works in memory when storage is missing, full or corrupt', async () => {
    const none = harness(null);
    none.outbox.add(entry('a'));
    none.outbox.online();
    await none.answer('ok');
    expect(none.shown()).toEqual([]);

    const full = new FakeStorage();
    full.full = true;
    const quota = harness(full);
    quota.outbox.add(entry('b'));
    expect(quota.shown()).toEqual(['b:sending']);

    const corrupt = new FakeStorage();
    corrupt.setItem(KEY, '{not json');
    expect(harness(corrupt).shown()).toEqual([]);
    corrupt.setItem(KEY, JSON.stringify({ owner: 'visitor-1', entries: [{ clientId: 1 }] }));
    expect(harness(corrupt).shown()).toEqual([]);
  });
});
