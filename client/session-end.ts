/**
 * The server closes a connection whose token or login stopped holding, saying so first with `session:ended`.
 * Socket.IO does not reconnect after a close by the server, so this does: at once, and the handshake decides
 * whether the current token holds (if not, the usual renewal of a refused token follows). Other closes by the
 * server (a flooding connection, a shutdown) are left as they are.
 */
import type { Socket } from 'socket.io-client';
import type { ApiError } from '../server/contract/errors.ts';

export function reconnectWhenSessionEnds(socket: Socket<{ 'session:ended': (reason: ApiError) => void }, never>): void {
  let ended = false;
  socket.on('session:ended', () => (ended = true));
  socket.on('disconnect', (reason) => {
    if (ended && reason === 'io server disconnect') socket.connect();
    ended = false;
  });
}
