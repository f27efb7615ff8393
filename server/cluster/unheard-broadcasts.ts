/**
 * Every node reads every broadcast of the cluster from the Redis stream, and the Socket.IO adapter encodes each one
 * for its local sockets before it looks for any (socket.io-adapter's in-memory broadcast). Most find none here: a
 * visitor's other tabs and an agent's console sit on one node of several. This drops, unencoded, a broadcast from
 * another node to rooms none of which has a socket on this node; what someone here may hear goes on as before.
 * Written here because the adapter has no hook for it: its own message handler is wrapped per namespace.
 */
import { MessageType, type ClusterMessage } from 'socket.io-adapter';
import type { createAdapter } from '@socket.io/redis-streams-adapter';

type AdapterFactory = ReturnType<typeof createAdapter>;

/** The parts of a cluster adapter this reads: its id, its local rooms, and the handler of what other nodes publish. */
interface ClusterAdapterView {
  uid: string;
  rooms: Map<string, Set<string>>;
  onMessage(message: ClusterMessage, offset?: string): void;
}

export function skippingUnheardBroadcasts(factory: AdapterFactory): AdapterFactory {
  // Socket.IO calls the factory with `new`: an arrow function cannot be.
  return function adapterFor(nsp) {
    const adapter = factory(nsp);
    const view = adapter as unknown as ClusterAdapterView;
    const handle = view.onMessage.bind(adapter);
    view.onMessage = (message, offset) => {
      if (!unheardHere(view, message)) handle(message, offset);
    };
    return adapter;
  };
}

/**
 * A broadcast from another node, wanting no acknowledgement (the sender counts every node's answer to those), to
 * named rooms, none of which has a socket here. Exceptions only narrow who hears it, so they need no look.
 */
export function unheardHere(adapter: Pick<ClusterAdapterView, 'uid' | 'rooms'>, message: ClusterMessage): boolean {
  if (message.type !== MessageType.BROADCAST || message.uid === adapter.uid || message.data.requestId !== undefined) return false;
  const { rooms } = message.data.opts;
  return rooms.length > 0 && !rooms.some((room) => adapter.rooms.has(room));
}
