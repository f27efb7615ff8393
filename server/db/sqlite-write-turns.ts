/**
 * SQLite has one writer at a time, and better-sqlite3 waits for a lock synchronously, stopping its thread. So
 * Prisma's connection (client.ts) and the writer thread's (sqlite-writer.ts) take turns in JavaScript instead.
 */

/** Whose turn it is to write: a FIFO lock. */
export class WriteTurns {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  take(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Someone is waiting for the turn. */
  get contended(): boolean {
    return this.waiting.length > 0;
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }

  async holding<T>(work: () => Promise<T>): Promise<T> {
    await this.take();
    try {
      return await work();
    } finally {
      this.give();
    }
  }
}
