/** Asks GET /healthz one request at a time and keeps the slowest answer: how long the server was unresponsive. */
import { sleep } from './bounded.ts';

const EVERY_MS = 250;
const REQUEST_TIMEOUT_MS = 30_000;

export class HealthProbe {
  slowestMs = 0;
  failures = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly url: string) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      } catch {
        this.failures++;
      }
      this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
      await sleep(EVERY_MS);
    }
  }
}
