/**
 * `window.Parley`, the page's only handle on the widget (no other global is defined).
 *
 * widget.js loads async, so a page that wants to call the widget early adds this stub before it:
 *
 *   <script>window.Parley=window.Parley||function(){(Parley.q=Parley.q||[]).push(arguments)}</script>
 *
 * and calls `Parley('identify', {...})`. When ready, the loader replaces the stub, replays the queued
 * calls in order, and from then on both `Parley('open')` and `Parley.open()` work. Commands: open,
 * close, toggle, identify, setAttributes, setLocale, shutdown, and on / off for events.
 */
import type { Identity, VisitorAttributes } from '../bridge.ts';

export interface ParleyCommands {
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: Identity): void;
  setAttributes(attributes: VisitorAttributes): void;
  setLocale(code: string): void;
  /** Forgets the visitor (on logout): the next chat starts a fresh session. */
  shutdown(): void;
}

/** `open`, `close`; `message` (a MessageDTO); `unread` (a count); `error` ({ code, message }). */
export type ParleyEvent = 'open' | 'close' | 'message' | 'unread' | 'error';
type Callback = (data?: unknown) => void;

type ParleyGlobal = ((command: unknown, ...args: unknown[]) => void) & { q?: ArrayLike<unknown>[] } & Partial<ParleyCommands>;

const host = window as unknown as { Parley?: ParleyGlobal };
const listeners = new Map<ParleyEvent, Set<Callback>>();

/** True when another copy of widget.js already installed the API (the snippet was pasted twice). */
export function isInstalled(): boolean {
  return typeof host.Parley?.open === 'function';
}

/** Calls the page's callbacks; one that throws is reported, and the others still run. */
export function emit(event: ParleyEvent, data?: unknown): void {
  listeners.get(event)?.forEach((callback) => queueMicrotask(() => callback(data)));
}

export function installPublicApi(commands: ParleyCommands): void {
  const queued = host.Parley?.q ?? [];
  const api = {
    ...commands,
    on(event: ParleyEvent, callback: Callback) {
      listeners.set(event, (listeners.get(event) ?? new Set()).add(callback));
    },
    off(event: ParleyEvent, callback: Callback) {
      listeners.get(event)?.delete(callback);
    },
  };
  const run = (command: unknown, ...args: unknown[]): void => {
    if (typeof command === 'string' && Object.hasOwn(api, command)) (api[command as keyof typeof api] as (...a: unknown[]) => void)(...args);
    else console.warn('[Parley] unknown command', command);
  };
  host.Parley = Object.assign(run, api);
  for (const args of Array.from(queued)) run(...(Array.from(args) as [unknown, ...unknown[]]));
}
