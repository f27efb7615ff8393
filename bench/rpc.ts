/**
 * Request/response over a child's IPC channel: the orchestrator calls the load generators and the probe
 * preloaded into each server. Every call is bounded by a timeout; a child that exits fails its calls.
 */
import type { ChildProcess } from 'node:child_process';

export type Api = Record<string, (args: any) => unknown>;

interface Request {
  rpc: number;
  command: string;
  args: unknown;
}

interface Reply {
  rpc: number;
  result?: unknown;
  error?: string;
}

/** In the child: answers the parent's calls. Exits when the parent goes away, so nothing outlives a run. */
export function serveRpc(handlers: Api, onParentGone: () => void = () => process.exit(0)): void {
  if (!process.send) return;
  process.on('disconnect', onParentGone);
  process.on('message', (message: Request) => {
    if (typeof message?.rpc !== 'number') return;
    const reply = (answer: Omit<Reply, 'rpc'>) => process.connected && process.send!({ rpc: message.rpc, ...answer });
    Promise.resolve()
      .then(() => handlers[message.command]!(message.args))
      .then(
        (result) => reply({ result }),
        (error: unknown) => reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.send({ ready: true });
}

/** Resolves once the child's handlers listen (messages sent before that could be lost). */
export function childReady(child: ChildProcess, label: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}) before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', function listener(message: { ready?: boolean }) {
      if (!message?.ready) return;
      clearTimeout(timer);
      child.off('message', listener).off('exit', onExit);
      resolve();
    });
  });
}

export class RpcClient<A extends Api> {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly child: ChildProcess,
    private readonly label: string,
  ) {
    child.on('message', (message: Reply) => {
      const call = this.pending.get(message?.rpc);
      if (!call) return;
      this.pending.delete(message.rpc);
      if (message.error !== undefined) call.reject(new Error(`${label}: ${message.error}`));
      else call.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      for (const call of this.pending.values()) call.reject(new Error(`${label} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  call<K extends keyof A & string>(command: K, args: Parameters<A[K]>[0], timeoutMs: number): Promise<Awaited<ReturnType<A[K]>>> {
    return new Promise((resolve, reject) => {
      const id = ++this.nextId;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: ${command} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle = <T>(fn: (value: T) => void) => (value: T) => {
        clearTimeout(timer);
        fn(value);
      };
      this.pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) });
      if (!this.child.connected) return this.pending.get(id)!.reject(new Error(`${this.label} is gone`));
      this.child.send({ rpc: id, command, args } satisfies Request);
    });
  }
}
