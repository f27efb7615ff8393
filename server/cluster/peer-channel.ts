/**
 * A one-way word to every other node of the cluster, for facts that need no answer, such as a cache entry gone
 * stale: Socket.IO's serverSideEmit over the adapter (Redis), heard with io.on. A word lost while Redis is away
 * is not sent again, so what listens must not depend on hearing every one (the push subscription cache ages out).
 */
import type { Server } from 'socket.io';

export interface PeerChannel<T> {
  tell(message: T): void;
  hear(listener: (message: T) => void): void;
}

export function peerChannel<T>(io: Pick<Server, 'on' | 'serverSideEmit'>, event: string): PeerChannel<T> {
  return {
    tell: (message) => void io.serverSideEmit(event, message),
    hear: (listener) => void io.on(event, listener),
  };
}
