/** Forks load generators (bench/load/generator.ts), each a process of its own driven over IPC. */
import { fork } from 'node:child_process';
import type { GeneratorApi } from './load/generator.ts';
import { NODE_TS, repoRoot, stopChild, track } from './processes.ts';
import { childReady, RpcClient } from './rpc.ts';

export interface Generator {
  rpc: RpcClient<GeneratorApi>;
  stop(): Promise<void>;
}

export async function startGenerator(label: string): Promise<Generator> {
  const child = track(fork('bench/load/generator.ts', [], { cwd: repoRoot, execArgv: NODE_TS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await childReady(child, label);
  const rpc = new RpcClient<GeneratorApi>(child, label);
  return {
    rpc,
    async stop() {
      await rpc.call('close', undefined, 5_000).catch(() => undefined);
      await stopChild(child, 3_000);
    },
  };
}
