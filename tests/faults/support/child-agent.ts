/** Runs support/agent-process.ts as a child process and follows what it prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitUntil, type Teardown } from './bounded.ts';
import type { Credentials } from './world.ts';

const script = fileURLToPath(new URL('./agent-process.ts', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface ChildAgentReport {
  agentId: string;
  connects: number;
  mine: string[];
}

export class ChildAgent {
  readonly reports: ChildAgentReport[] = [];
  private constructor(private readonly child: ChildProcess) {}

  static async start(teardown: Teardown, url: string, credentials: Credentials): Promise<ChildAgent> {
    const child = spawn(process.execPath, ['--import', 'tsx', script, url, credentials.email, credentials.password], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    teardown.add('kill child agent', async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    });
    const agent = new ChildAgent(child);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) agent.reports.push(JSON.parse(line) as ChildAgentReport);
    });
    await waitUntil(() => agent.reports.length > 0 || child.exitCode !== null, START_TIMEOUT_MS, 'the child agent to connect');
    if (!agent.last) throw new Error(`child agent exited with ${child.exitCode}`);
    return agent;
  }

  get last(): ChildAgentReport | undefined {
    return this.reports.at(-1);
  }

  /** Freezes the process: its sockets stay open but nothing answers (no FIN is sent). */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }
}
