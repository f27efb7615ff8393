/** Socket.IO commands as promises: every command answers an Ack, which becomes a value or an AckError. */
import type { Socket } from 'socket.io-client';
import type { Ack, AckCallback, ApiError, ErrorCode } from '../server/contract/errors.ts';

/** How long a command may wait for its answer (also while the socket reconnects) before it fails. */
export const COMMAND_TIMEOUT_MS = 10_000;

type Command = (request: never, ack: never) => void;
type RequestOf<F> = F extends (request: infer R, ack: never) => void ? R : never;
type DataOf<F> = F extends (request: never, ack: AckCallback<infer T>) => void ? T : never;

export class AckError extends Error {
  readonly code: ErrorCode | 'TIMEOUT';
  /** With RATE_LIMITED: when trying again can succeed. */
  readonly retryAfterMs: number | undefined;

  constructor(error: ApiError | { code: 'TIMEOUT'; message: string }) {
    super(error.message);
    this.code = error.code;
    this.retryAfterMs = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
  }
}

/** Failures a later attempt can get past (no answer, a busy server, a limit), unlike a refusal of the request itself. */
export function isTransient(code: AckError['code']): boolean {
  return code === 'TIMEOUT' || code === 'UNAVAILABLE' || code === 'INTERNAL' || code === 'RATE_LIMITED';
}

export type Requester<Commands> = <K extends keyof Commands & string>(
  command: K,
  request: RequestOf<Commands[K]>,
) => Promise<DataOf<Commands[K]>>;

export function requester<Commands extends { [K in keyof Commands]: Command }>(
  socket: Socket<never, Commands>,
): Requester<Commands> {
  return async (command, request) => {
    let ack: Ack<DataOf<Commands[typeof command]>>;
    try {
      // The timeout flag untypes the answer (Socket.IO prepends an error argument), hence the cast.
      ack = await (socket.timeout(COMMAND_TIMEOUT_MS) as unknown as Socket).emitWithAck(command, request);
    } catch {
      throw new AckError({ code: 'TIMEOUT', message: `${command} got no answer` });
    }
    if (!ack.ok) throw new AckError(ack.error);
    return ack.data;
  };
}

/** A handshake refused for its token (Socket.IO passes the server's ApiError as `data`). */
export function isUnauthorized(error: Error): boolean {
  return (error as Error & { data?: Partial<ApiError> }).data?.code === 'UNAUTHORIZED';
}
