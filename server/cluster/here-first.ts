/**
 * Socket.IO's cluster adapter writes each broadcast (and each room join, leave or disconnect) to the Redis stream,
 * waits for Redis to answer with the entry's id, and only then does it on this node's own sockets: the id is what
 * Socket.IO's connection state recovery stamps on each packet. Parley does not use that recovery (clients catch up
 * by seq), so the wait only delays what this node's own clients hear, by a Redis round trip behind every command
 * already on its way: in the bench's queue burst, the routing leader's own visitors heard of their assignments last.
 * This answers the adapter's publish at once, so the local part runs in the same turn, while the entry goes to
 * Redis as before. Order is kept: every operation still awaits one (settled) promise before its local part, in the
 * order they were called, and the stream keeps the order for the other nodes.
 * Written here because the adapter has no option for it; left as it is when connection state recovery is on.
 */
import type { createAdapter } from '@socket.io/redis-streams-adapter';

type AdapterFactory = ReturnType<typeof createAdapter>;

/** The part of the cluster adapter this changes: the write to the stream that answers the entry's id. */
interface PublishingAdapter {
  publishAndReturnOffset(message: unknown): Promise<string>;
}

export function deliveringHereFirst(factory: AdapterFactory, publishFailed: (err: unknown) => void): AdapterFactory {
  // Socket.IO calls the factory with `new`: an arrow function cannot be.
  return function adapterFor(nsp) {
    const adapter = factory(nsp);
    if (nsp.server.opts.connectionStateRecovery) return adapter;
    const view = adapter as unknown as PublishingAdapter;
    const publish = view.publishAndReturnOffset.bind(adapter);
    view.publishAndReturnOffset = (message) => {
      publish(message).catch(publishFailed);
      return Promise.resolve('');
    };
    return adapter;
  };
}
