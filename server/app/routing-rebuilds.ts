/**
 * The database is the routing engine's source of truth: when a write fails or another writer got there first, the
 * engine may be ahead of the database, so it is rebuilt from it. However many disagreements turn up meanwhile, one
 * rebuild (a second later, on the routing turn queue) answers them all.
 */
import type { ErrorCode } from '../contract/errors.ts';
import { AppError } from './errors.ts';
import type { Logger } from './logger.ts';
import type { SerialQueue } from './serial.ts';
import type { Timers } from './timers.ts';

const REBUILD_DELAY_MS = 1000;

export class RoutingRebuilds {
  private timer: unknown;
  private stopped = false;

  constructor(
    private readonly serial: SerialQueue,
    private readonly timers: Timers,
    private readonly log: Logger,
    private readonly rebuild: () => Promise<void>,
  ) {}

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs a routing write; when it fails the engine may be ahead of the database: rebuild, and tell the caller to retry. */
  async persist<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      this.log.error({ err: error }, 'routing write failed; rebuilding from the database');
      this.schedule();
      throw new AppError('UNAVAILABLE', 'The database is unavailable; try again');
    }
  }

  /** Another writer changed the conversation first: the engine is stale. */
  lostRace(code: ErrorCode, message: string): AppError {
    this.schedule();
    return new AppError(code, message);
  }

  schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.serial.run(this.rebuild).catch((err) => {
        this.log.error({ err }, 'rebuild failed; retrying');
        this.schedule();
      });
    }, REBUILD_DELAY_MS);
  }
}
