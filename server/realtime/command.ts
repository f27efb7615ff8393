/**
 * The one adapter between Socket.IO events and use cases. Each namespace declares its commands as one table keyed
 * by the contract's event names, so the compiler checks every schema and answer against server/contract/events.ts;
 * mountCommands validates each payload, runs it, and always answers with an Ack. A missing ack callback means
 * the client cannot be told anything, so the event is dropped.
 */
import type { z } from 'zod';
import type { Ack, AckCallback, ApiError } from '../contract/errors.ts';
import { AppError } from '../app/errors.ts';
import type { Logger } from '../app/logger.ts';
import type { LimitName, Limits } from '../app/limits.ts';
import type { Socket } from 'socket.io';
import { wallClock, type Clock } from '../domain/clock.ts';
import { RefusalGate } from '../domain/refusal-gate.ts';
import { validate } from '../validation/parse.ts';

/** A contract command's request and answer, read from its `(req, ack) => void` signature. */
type RequestOf<Handler> = Handler extends (req: infer Req, ack: never) => void ? Req : never;
type DataOf<Handler> = Handler extends (req: never, ack: AckCallback<infer Data>) => void ? Data : never;

/** One command: what its payload must look like, and the use case that answers it. */
export interface CommandSpec<Req, Data, Context> {
  schema: z.ZodType<Req, unknown>;
  run(req: Req, context: Context): Promise<Data>;
}

/** Every command of a namespace's client-to-server map, each checked against its contract signature. */
export type CommandTable<Events, Context> = {
  [E in keyof Events & string]: CommandSpec<RequestOf<Events[E]>, DataOf<Events[E]>, Context>;
};

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

/** Told, after each ack, which namespace's command it answered and how long after its arrival (metrics). */
export type CommandObserver = (namespace: string, event: string, ms: number) => void;

/** Answers every command of `table` on this connection; `context` is what its handlers act for (and on). */
export function mountCommands<Events, Context>(
  socket: Socket,
  table: CommandTable<Events, Context>,
  context: Context,
  deps: { log: Logger; inflight: InFlight; onAnswered?: CommandObserver },
): void {
  for (const event of Object.keys(table) as (keyof Events & string)[]) {
    const { schema, run } = table[event];
    const name: string = event;
    socket.on(name, (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack !== 'function' || args.length !== 2) return;
      const arrived = performance.now();
      const answer = ack as (answer: Ack<unknown>) => void;
      const reply = (result: Ack<unknown>) => {
        answer(result);
        deps.onAnswered?.(socket.nsp.name, name, performance.now() - arrived);
      };
      const parsed = validate(schema, args[0]);
      if (!parsed.ok) return reply(parsed);
      // Promise.try-style: a handler that throws before its first await is answered like one that rejects.
      deps.inflight.track(new Promise<unknown>((resolve) => resolve(run(parsed.data, context)))).then(
        (data) => reply({ ok: true, data }),
        (error: unknown) => reply({ ok: false, error: toApiError(deps.log, name, error) }),
      );
    });
  }
}

/**
 * The client's answer for a failure. Anything answered INTERNAL is logged with its stack, so no 500 goes
 * unexplained: an unexpected error here, and an INTERNAL that arrived as an AppError (the routing leader's answer
 * to a forwarded command, whose cause the leader logged) where it surfaced.
 */
export function toApiError(log: Logger, event: string, error: unknown) {
  if (error instanceof AppError) {
    if (error.code === 'INTERNAL') log.error({ event, err: error }, 'command failed');
    return error.toApiError();
  }
  if (isDatabaseBusy(error)) {
    log.warn({ event, err: error }, 'database unavailable');
    return { code: 'UNAVAILABLE' as const, message: 'The database is busy; try again' };
  }
  if (isClusterTimeout(error)) {
    log.warn({ event, err: error }, 'a cluster node did not answer in time');
    return { code: 'UNAVAILABLE' as const, message: 'A server of the cluster did not answer in time; try again' };
  }
  log.error({ event, err: error }, 'command failed');
  return { code: 'INTERNAL' as const, message: 'Something went wrong; try again' };
}

/**
 * Transient database trouble (SQLite busy, locked, full or I/O errors; PostgreSQL unreachable or timing out; a
 * transaction that could not start or finish in time, its writes rolled back, as every pooled connection is busy
 * in a burst: P2028) tells the client to retry: UNAVAILABLE, not INTERNAL. Prisma reports some by code, some only in text.
 */
const TRANSIENT_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
const TRANSIENT_TEXT = /SQLITE_(BUSY|LOCKED|FULL|IOERR)|database is locked|disk is full|disk I\/O error|Operation has timed out|ECONNREFUSED|ECONNRESET|Connection terminated/i;

/**
 * The Socket.IO adapter gave up waiting for another node (fetchSockets, a request with replies): the node is slow
 * or has just died, and the next attempt counts the nodes again. socket.io-adapter reports it only in text.
 */
function isClusterTimeout(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('timeout reached: ');
}

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
