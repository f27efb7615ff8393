/**
 * Everything the bench starts (servers, load generators, the CLI) and every temp folder it makes is
 * registered here and removed on exit, on Ctrl-C and on failure. Children also exit on their own when
 * the orchestrator's IPC channel closes (see rpc.ts), so not even a SIGKILL of the bench leaves them.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** How every TypeScript entry point runs, like `npm start`. */
export const NODE_TS = ['--experimental-wasm-modules', '--disable-warning=ExperimentalWarning', '--import', 'tsx'];

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function spawnTracked(command: string, args: string[], options: SpawnOptions): ChildProcess {
  return track(spawn(command, args, { cwd: repoRoot, ...options }));
}

export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** Resolves with the exit code; SIGKILL after `graceMs` if SIGTERM was not enough. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(killer);
  return code;
}

export interface Stoppable {
  stop(): Promise<void>;
}

/** `stop` that runs once however often it is called (a finally and an early stop may both call it). */
export function once(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
}

/**
 * A section with processes of its own, in three steps: started (early, beside other startups: starting is
 * not measured), prepared (sites, agents, conversations), then measured; stopped in any case.
 */
export interface Section<R> extends Stoppable {
  prepare(): Promise<void>;
  measure(log: (line: string) => void): Promise<R>;
}

/** Starts things side by side; if one fails, stops the ones that started and rethrows the first failure. */
export async function startTogether<T extends readonly Stoppable[]>(starts: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(starts as readonly Promise<Stoppable>[]);
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (!failure) return settled.map((result) => (result as PromiseFulfilledResult<Stoppable>).value) as unknown as T;
  for (const result of settled) if (result.status === 'fulfilled') await result.value.stop();
  throw failure.reason;
}

/** Synchronous, so it also works from process.on('exit'). */
export function killEverything(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.once('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping everything\n`);
    killEverything();
    process.exit(130);
  });
}
