/**
 * One responder call bounded by the bot's timeout: the signal aborts at the deadline, and a responder that ignores
 * it is not waited for. A throw or the deadline becomes a handoff, so the visitor is never left waiting on a bot.
 */
import type { Timers } from '../app/timers.ts';
import type { BotResponder, BotTurnInput, BotTurnResult } from './ports.ts';

export async function answerWithin(
  responder: BotResponder,
  input: BotTurnInput,
  timeoutMs: number,
  onPartial: (text: string) => void,
  timers: Timers,
  now: () => number,
): Promise<BotTurnResult> {
  const started = now();
  const controller = new AbortController();
  let timer: unknown;
  const deadline = new Promise<BotTurnResult>((resolve) => {
    timer = timers.setTimeout(() => {
      controller.abort();
      resolve({ kind: 'handoff', reason: 'timeout', detail: `no answer within ${timeoutMs} ms`, latencyMs: now() - started });
    }, timeoutMs);
  });
  try {
    return await Promise.race([responder.respond(input, { signal: controller.signal, onPartial }), deadline]);
  } catch (error) {
    return { kind: 'handoff', reason: 'error', detail: (error as Error)?.message ?? String(error), latencyMs: now() - started };
  } finally {
    timers.clearTimeout(timer);
  }
}
