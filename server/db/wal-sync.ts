/**
 * Durability for commits made with synchronous=NORMAL: an fdatasync of the WAL file on libuv's thread pool,
 * so the event loop keeps serving sockets while the disk works (with synchronous=FULL, SQLite's own fsync
 * inside COMMIT blocked it for the whole flush). Callers who come while one sync runs share the next one,
 * which starts when it ends: a sync covers only what was written before it began.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';

/** Flushes a file's data to disk; Linux syncs the file whichever descriptor asks, so a read-only one will do. */
export type SyncFile = (fd: number) => Promise<void>;

const fdatasyncFile: SyncFile = (fd) => new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));

export class WalSync {
  private fd: number | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private closed = false;

  /** `walFile`: the database's `-wal` file; it exists once the database is in WAL mode. */
  constructor(
    private readonly walFile: string,
    private readonly syncFile: SyncFile = fdatasyncFile,
  ) {}

  /** Resolves once everything written to the WAL before this call is on disk. */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const next = () => {
      this.queued = null;
      return this.start();
    };
    return (this.queued = this.running.then(next, next));
  }

  /** After the sync in progress, if any: closing its descriptor under it would fail it. */
  close(): void {
    this.closed = true;
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) void Promise.allSettled([this.running]).then(() => closeSync(fd));
  }

  private start(): Promise<void> {
    const running = this.sync().finally(() => {
      if (this.running === running) this.running = null;
    });
    return (this.running = running);
  }

  private async sync(): Promise<void> {
    if (this.closed) throw new Error(`${this.walFile} is closed`);
    this.fd ??= openSync(this.walFile, 'r');
    await this.syncFile(this.fd);
  }
}
