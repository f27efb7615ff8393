/**
 * A handshake the server refuses leaves a Socket.IO socket down for good. A refusal for now (the database
 * failed a lookup, a limit) is worth another try: after a pause that doubles with each refusal in a row,
 * up to HANDSHAKE_RETRY_MAX_MS (or the server's retryAfterMs, when longer), with jitter so that the clients a
 * restart turned away do not all come back at once. Refusals for good (a bad token, a foreign origin) are not.
 */
import type { Socket } from 'socket.io-client';
import type { ApiError } from '../server/contract/errors.ts';
import { isTransient } from './request.ts';

export const HANDSHAKE_RETRY_FIRST_MS = 1000;
export const HANDSHAKE_RETRY_MAX_MS = 30_000;

export class HandshakeRetry {
  readonly #socket: Pick<Socket, 'active' | 'connect'>;
  readonly #random: () => number;
  #refusals = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: Pick<Socket, 'active' | 'connect'>, random: () => number = Math.random) {
    this.#socket = socket;
    this.#random = random;
  }

  /** After a refused handshake: true when it was refused for now, and a reconnect is scheduled. */
  retryIfTransient(error: Error): boolean {
    const refusal = (error as Error & { data?: Partial<ApiError> }).data;
    if (!refusal?.code || !isTransient(refusal.code)) return false;
    const backoff = Math.min(HANDSHAKE_RETRY_MAX_MS, HANDSHAKE_RETRY_FIRST_MS * 2 ** this.#refusals++);
    const pause = Math.max(backoff * (0.5 + this.#random() / 2), refusal.retryAfterMs ?? 0);
    clearTimeout(this.#timer);
    // Unless something connected it meanwhile (a new token): a second connect would send a second handshake.
    this.#timer = setTimeout(() => {
      if (!this.#socket.active) this.#socket.connect();
    }, pause);
    return true;
  }

  /** Connected, reconnecting for another reason, or closed: the next refusal starts from the first pause again. */
  reset(): void {
    this.#refusals = 0;
    clearTimeout(this.#timer);
  }
}
