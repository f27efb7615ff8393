/**
 * `window.Parley`, the page's only handle on the widget (no other global is defined).
 *
 * widget.js loads async, so a page that wants to call the widget early adds this stub before it:
 *
 *   <script>window.Parley=window.Parley||function(){(Parley.q=Parley.q||[]).push(arguments)}</script>
 *
 * and calls `Parley('open')`. When ready, the loader replaces the stub, replays the queued calls in
 * order, and from then on both `Parley('open')` and `Parley.open()` work. Commands: open, close, toggle.
 */
export interface ParleyCommands {
  open(): void;
  close(): void;
  toggle(): void;
}

type ParleyGlobal = ((command: unknown) => void) & { q?: ArrayLike<unknown>[] } & Partial<ParleyCommands>;

const host = window as unknown as { Parley?: ParleyGlobal };

/** True when another copy of widget.js already installed the API (the snippet was pasted twice). */
export function isInstalled(): boolean {
  return typeof host.Parley?.open === 'function';
}

export function installPublicApi(commands: ParleyCommands): void {
  const queued = host.Parley?.q ?? [];
  const run = (command: unknown): void => {
    if (typeof command === 'string' && Object.hasOwn(commands, command)) commands[command as keyof ParleyCommands]();
    else console.warn('[Parley] unknown command', command);
  };
  host.Parley = Object.assign(run, commands);
  for (const args of Array.from(queued)) run(args[0]);
}
