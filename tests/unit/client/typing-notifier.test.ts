/** The typing notifier the widget frame and the console share: few events, and "stopped" said, not guessed. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_KEEPALIVE_MS, TYPING_PAUSE_MS, TypingNotifier } from '../../../client/typing-notifier.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function notifier(preview: boolean) {
  const sent: Array<[boolean, string | undefined]> = [];
  return { sent, typing: new TypingNotifier((typing, draft) => sent.push([typing, draft]), preview) };
}

describe('TypingNotifier', () => {
  it('says typing at once, again only to keep it alive, and stopped after a pause', async () => {
    const { sent, typing } = notifier(false);
    typing.draft('h');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[true, undefined]]);
    for (const text of ['he', 'hel', 'hell']) {
      await vi.advanceTimersByTimeAsync(600);
      typing.draft(text);
    }
    await vi.advanceTimersByTimeAsync(600);
    expect(sent).toHaveLength(1); // 2.4 s in: the receivers still show it
    await vi.advanceTimersByTimeAsync(TYPING_KEEPALIVE_MS);
    typing.draft('hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([[true, undefined], [true, undefined]]);
    await vi.advanceTimersByTimeAsync(TYPING_PAUSE_MS);
    expect(sent.at(-1)).toEqual([false, undefined]);
  });

  it('with preview, sends the changed draft at most once per interval', async () => {
    const { sent, typing } = notifier(true);
    typing.draft('a');
    typing.draft('ab');
    await vi.advanceTimersByTimeAsync(0);
    typing.draft('abc');
    typing.draft('abcd');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toEqual([[true, 'ab'], [true, 'abcd']]);
  });

  it('an emptied draft or a sent message stops it; stopping when nothing was said sends nothing', async () => {
    const { sent, typing } = notifier(false);
    typing.stop();
    typing.draft('   ');
    expect(sent).toEqual([]);
    typing.draft('hi');
    await vi.advanceTimersByTimeAsync(0);
    typing.draft('');
    expect(sent).toEqual([[true, undefined], [false, undefined]]);
    await vi.advanceTimersByTimeAsync(TYPING_PAUSE_MS);
    expect(sent).toHaveLength(2);
  });
});
