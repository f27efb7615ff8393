/**
 * A one-way word to every other node of the cluster, for facts that need no answer, such as a cache entry gone
 * stale: Socket.IO's serverSideEmit over the adapter (Redis), heard with io.on. A word lost while Redis is away
 * is not sent again, so what listens must not depend on hearing every one (node caches age out).
 */
import type { Server } from 'socket.io';
import type { CachePeers } from '../app/node-cache.ts';

export function peerChannel<T>(io: Pick<Server, 'on' | 'serverSideEmit'>, event: string): CachePeers<T> {
  return {
    tell: (message) => void io.serverSideEmit(event, message),
    hear: (listener) => void io.on(event, listener),
  };
}
