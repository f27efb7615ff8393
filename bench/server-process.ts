/**
 * Starts a measured server in its own process (Parley's server/main.ts, or the bare relay) on 127.0.0.1
 * and a free port, with the probe preloaded, and resolves once it logs {"msg":"listening","url":...}.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NODE_TS, spawnTracked, stopChild } from './processes.ts';
import { RpcClient } from './rpc.ts';
import type { ProbeApi } from './server-probe.ts';
import { ADMIN } from './setup.ts';

const START_TIMEOUT_MS = 60_000;

export interface ServerProcess {
  label: string;
  url: string;
  probe: RpcClient<ProbeApi>;
  stop(): Promise<void>;
}

export interface ParleyOptions {
  /** The probe counts the SQL statements the server prepares (for --profile). */
  countSql?: boolean;
  /** Names the process in messages (default "parley"). */
  label?: string;
  /** Settings over the bench's defaults: production limits, PostgreSQL and Redis for a cluster node... */
  env?: Record<string, string>;
}

export function startParley(dataDir: string, options: ParleyOptions = {}): Promise<ServerProcess> {
  return startServerProcess(options.label ?? 'parley', 'server/main.ts', {
    ...(options.countSql ? { BENCH_COUNT_SQL: '1' } : {}),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: `file:${join(dataDir, 'parley.db')}`,
    REDIS_URL: '', // one node unless asked (Parley reads an empty value as unset; the shell's REDIS_URL must not leak in)
    LOG_LEVEL: 'info', // Parley logs nothing per request at info; "listening" is an info line
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SHUTDOWN_TIMEOUT_MS: '2000',
    // All of the bench's clients come from 127.0.0.1: lift the per-IP and per-visitor limits out of the way
    // (they are still checked on every command, so their cost is measured). The flood section puts them back.
    RATE_LIMIT_SCALE: '1000000',
    ...options.env,
  });
}

export function startBareRelay(): Promise<ServerProcess> {
  return startServerProcess('bare relay', 'bench/bare-relay.ts', {});
}


async function startServerProcess(label: string, script: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawnTracked(process.execPath, [...NODE_TS, '--expose-gc', '--import', './bench/server-probe.ts', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const url = await listeningUrl(child, label);
  return {
    label,
    url,
    probe: new RpcClient<ProbeApi>(child, `${label} probe`),
    async stop() {
      const code = await stopChild(child);
      if (code !== 0) process.stderr.write(`bench: ${label} exited with ${code}\n`);
    },
  };
}

function listeningUrl(child: ChildProcess, label: string): Promise<string> {
  const output: string[] = [];
  const keep = (chunk: string) => output.length < 200 && output.push(chunk);
  child.stderr!.setEncoding('utf8').on('data', keep);
  return new Promise<string>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${label} did not start: ${reason}\n${output.join('').slice(-3000)}`));
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
    // Later lines are read and dropped, so a full pipe never blocks the server.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(`${line}\n`);
      const url = line.startsWith('{') ? (JSON.parse(line) as { msg?: string; url?: string }) : null;
      if (url?.msg === 'listening' && url.url) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stderr!.off('data', keep).resume();
        resolve(url.url);
      }
    });
  });
}
