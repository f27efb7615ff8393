import type { Socket } from 'socket.io';
import type { ApiError } from '../contract/errors.ts';
import { endSessions } from './notifier.ts';

/** Kept in socket.data by the handshake: when the token the connection was admitted with expires (ms). */
export interface TokenExpiryData {
  tokenExpiresAt: number;
}

type SessionEndedEvent = { 'session:ended': (reason: ApiError) => void };

/** setTimeout fires at once for delays past 2^31 - 1 ms (about 24.8 days); longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Closes the connection when the token it was admitted with expires, after a `session:ended`. The client then
 * connects again and its handshake needs a valid token: the console sends the one it has refreshed meanwhile,
 * the widget, refused, renews its session. Closing rather than taking a fresh token over the open connection
 * keeps one place, the handshake, that admits a token (login live, account active, origin, limits), and the
 * clients already resume from a reconnect without losing anything. Wall time, as jsonwebtoken checks `exp`.
 */
export function closeAtExpiry(socket: Socket<never, SessionEndedEvent>, expiresAtMs: number): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const left = expiresAtMs - Date.now();
    if (left <= 0) {
      // This connection only (its own room), and on this node only: it is here.
      endSessions(socket.nsp.local.in(socket.id), 'Token expired');
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();
  socket.once('disconnect', () => clearTimeout(timer));
}
