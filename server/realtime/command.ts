/**
 * The one adapter between a Socket.IO event and a use case: validate the payload, run, and always answer
 * with an Ack. A missing ack callback means the client cannot be told anything, so the event is dropped.
 */
import type { z } from 'zod';
import type { Ack, ApiError } from '../contract/errors.ts';
import { AppError } from '../app/errors.ts';
import type { Logger } from '../app/logger.ts';
import type { LimitName, Limits } from '../app/limits.ts';
import type { Socket } from 'socket.io';
import { wallClock, type Clock } from '../domain/clock.ts';
import { RefusalGate } from '../domain/refusal-gate.ts';

export type CommandHandler = (...args: unknown[]) => void;
export type Command = <S extends z.ZodType, R>(event: string, schema: S, run: (payload: z.output<S>) => Promise<R>) => CommandHandler;

/** Counts commands still running, so shutdown can wait for their writes to finish. */
export class InFlight {
  private count = 0;
  private idle: (() => void)[] = [];

  track<T>(work: Promise<T>): Promise<T> {
    this.count++;
    return work.finally(() => {
      if (--this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  settled(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}

export function commandFactory(log: Logger, inflight: InFlight): Command {
  return (event, schema, run) => (...args: unknown[]) => {
    const ack = args[args.length - 1];
    if (typeof ack !== 'function' || args.length !== 2) return;
    const reply = ack as (answer: Ack<unknown>) => void;
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      reply({ ok: false, error: { code: 'BAD_REQUEST', message: `${where}${issue?.message ?? 'invalid payload'}` } });
      return;
    }
    inflight.track(run(parsed.data)).then(
      (data) => reply({ ok: true, data }),
      (error: unknown) => reply({ ok: false, error: toApiError(log, event, error) }),
    );
  };
}

export function toApiError(log: Logger, event: string, error: unknown) {
  if (error instanceof AppError) return error.toApiError();
  if (isDatabaseBusy(error)) {
    log.warn({ event, err: error }, 'database unavailable');
    return { code: 'UNAVAILABLE' as const, message: 'The database is busy; try again' };
  }
  log.error({ event, err: error }, 'command failed');
  return { code: 'INTERNAL' as const, message: 'Something went wrong; try again' };
}

/**
 * Transient database trouble (SQLite busy, locked, full or I/O errors; PostgreSQL unreachable or timing out)
 * tells the client to retry: UNAVAILABLE, not INTERNAL. Prisma reports some by code, some only in text.
 */
const TRANSIENT_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034']);
const TRANSIENT_TEXT = /SQLITE_(BUSY|LOCKED|FULL|IOERR)|database is locked|disk is full|disk I\/O error|Operation has timed out|ECONNREFUSED|ECONNRESET|Connection terminated/i;

function isDatabaseBusy(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (TRANSIENT_TEXT.test(String(message ?? e))) return true;
  }
  return false;
}

/**
 * Every command on this connection spends from `name`/`key`; over the limit, it is answered RATE_LIMITED and
 * not run. A connection that keeps sending into the refusals is a script, not a person: it goes unread, then
 * is closed, so one flooding client cannot slow everyone else (see RefusalGate). When the limiter itself fails
 * (Redis unreachable, say) the command is answered UNAVAILABLE, so the client retries, rather than left to time out.
 * A resent message counts here like any command (only its message token is spared, in ConversationService):
 * exempting it would take a database lookup before the cheap refusal this guard exists for, and would let a
 * script replaying one stored clientId past it; the bucket refills within a fraction of a second, and the
 * client retries after the retryAfterMs it is told.
 */
export function limitCommands(socket: Socket, limits: Limits, name: LimitName, key: () => string, log: Logger, clock: Clock = wallClock): void {
  const gate = new RefusalGate<ApiError>(clock);
  let flooding = false;
  const answer = (packet: unknown[], error: ApiError) => {
    const ack = packet[packet.length - 1];
    if (typeof ack === 'function') ack({ ok: false, error });
  };
  const refuse = (packet: unknown[], refusal: ApiError) => {
    answer(packet, refusal);
    if (!flooding && gate.refused()) {
      flooding = true;
      stopReading(socket);
    }
  };
  socket.use((packet, next) => {
    const held = gate.held();
    if (held) return refuse(packet, held);
    limits.take(name, key()).then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof AppError)) {
          log.warn({ err: error, event: packet[0] }, 'rate limiter unavailable');
          return answer(packet, { code: 'UNAVAILABLE', message: 'The service is busy; try again' });
        }
        const refusal = error.toApiError();
        gate.hold(refusal, error.retryAfterMs);
        refuse(packet, refusal);
      },
    );
  });
}

/** How long a flooding connection goes unread before it is closed. */
const FLOOD_PAUSE_MS = 5_000;

/**
 * Stops reading the connection, then closes it FLOOD_PAUSE_MS later without reading on: what it sent meanwhile
 * waits in its own buffers (TCP backpressure) and is discarded with them, costing this process nothing. Closing
 * at once would only invite a reconnect storm; reading on, a burst of backlog. A transport that cannot pause
 * is closed at once.
 */
function stopReading(socket: Socket): void {
  const webSocket = (socket.conn.transport as unknown as { socket?: { pause?(): void; terminate?(): void } }).socket;
  if (!webSocket?.pause) return void socket.disconnect(true);
  webSocket.pause();
  setTimeout(() => {
    socket.disconnect(true);
    webSocket.terminate?.(); // a paused socket never reads the peer's close frame: do not wait for it
  }, FLOOD_PAUSE_MS).unref();
}
