/**
 * Starts the real server (`server/main.ts`) on a free port with a fresh SQLite file in a temp folder,
 * and resolves once it logs that it listens. For browser and end-to-end tests. Fault tests pass their own
 * `dataDir` and `port`, so a killed server can be started again on the same URL and database.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export type ServerExit = { code: number | null; signal: NodeJS.Signals | null };

export interface SpawnedServer {
  /** The origin it listens on, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The folder holding the SQLite file (and the JWT secret). */
  dataDir: string;
  pid: number;
  /** SIGTERM, wait for exit (SIGKILL after a while), then delete the temp folder; resolves with how it exited. */
  stop(): Promise<ServerExit>;
  /** Sends `signal` (default SIGKILL) and waits for the exit; keeps the data folder. */
  kill(signal?: NodeJS.Signals): Promise<ServerExit>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Use this folder and keep it (the caller deletes it); default: a fresh temp folder deleted by stop(). */
  dataDir?: string;
  /** Listen on this port; default: a free one. */
  port?: number;
  /** Every stdout line after startup (pino JSON), e.g. to count warnings. */
  onLine?: (line: string) => void;
}

export async function spawnServer(opts: SpawnOptions = {}): Promise<SpawnedServer> {
  const ownDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'parley-')));
  const removeDataDir = () => (ownDataDir ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve());
  const child = spawn(process.execPath, ['--experimental-wasm-modules', '--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(opts.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: `file:${join(dataDir, 'parley.db')}`,
      LOG_LEVEL: 'info',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<ServerExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // Startup output, for the error message when the server does not come up; later lines are drained.
  const output: string[] = [];
  let started = false;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => started || output.push(chunk));

  const url = await new Promise<string>((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      reject(new Error(`server did not start: ${reason}\n${output.join('').slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`no "listening" log line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (started) return opts.onLine?.(line);
      output.push(`${line}\n`);
      const entry = parseLogLine(line);
      if (entry?.msg === 'listening' && typeof entry.url === 'string') {
        started = true;
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    await removeDataDir();
    throw error;
  });

  return {
    url,
    dataDir,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(killTimer);
      }
      await removeDataDir();
      return exited;
    },
  };
}

/** A pino log line as an object; null for the server's plain-text lines. */
export function parseLogLine(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null; // the server also prints a plain-text banner
  }
}
