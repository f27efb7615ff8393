/**
 * Waiting for what a socket hears. A test starts listening before the steps that cause the event, so nothing is
 * missed, but on a loaded machine those steps (page waits, uploads) can take seconds; so the timeout counts from the
 * first await, not from the call, and a wait that is never awaited never rejects unhandled.
 * Kept apart from parley.ts, which starts servers, so that browser harnesses can use it without loading the server.
 */
import type { Socket } from 'socket.io-client';

/** How long a browser test waits for a socket to hear what the page just did, counted from the await. */
export const HEARD_WITHIN_MS = 10_000;

/** Starts hearing values; returns a function that stops. */
export type Subscribe<T> = (hear: (value: T) => void) => () => void;

/** The first value `subscribe` hears that matches `where`, heard from now on, awaited for at most `timeoutMs`. */
export function nextHeard<T>(subscribe: Subscribe<T>, where: (value: T) => boolean, timeoutMs: number, what: string): PromiseLike<T> {
  let heard: { value: T } | undefined;
  let deliver: ((value: T) => void) | undefined;
  const stop = subscribe((value) => {
    if (heard || !where(value)) return;
    stop();
    heard = { value };
    deliver?.(value);
  });
  let awaited: Promise<T> | undefined;
  return {
    then(onHeard, onTimeout) {
      awaited ??= new Promise<T>((resolve, reject) => {
        if (heard) return resolve(heard.value);
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`no matching ${what} within ${timeoutMs} ms of waiting`));
        }, timeoutMs);
        deliver = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
      });
      return awaited.then(onHeard, onTimeout);
    },
  };
}

function listen<T>(socket: Socket, event: string): Subscribe<T> {
  return (hear) => {
    socket.on(event, hear);
    return () => socket.off(event, hear);
  };
}

/** The first `event` on `socket` matching `where`, heard from now on. */
export function nextEvent<T>(socket: Socket, event: string, where: (value: T) => boolean = () => true, timeoutMs = 5000): PromiseLike<T> {
  return nextHeard(listen<T>(socket, event), where, timeoutMs, event);
}

/** The first item matching `where` in the batches `event` brings (agents get messages and changes in batches). */
export function nextInBatch<T>(socket: Socket, event: string, where: (item: T) => boolean = () => true, timeoutMs = 5000): PromiseLike<T> {
  const eachItem: Subscribe<T> = (hear) => listen<T[]>(socket, event)((batch) => batch.forEach(hear));
  return nextHeard(eachItem, where, timeoutMs, `${event} item`);
}
