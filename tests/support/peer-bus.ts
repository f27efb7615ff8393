/** Node caches' peers on one in-process bus: what one cache tells, every other cache on the bus hears. */
import type { CachePeers } from '../../server/app/node-cache.ts';

/** Each call gives one node's peers on the same bus. */
export function peerBus<Change>(): () => CachePeers<Change> {
  const listeners: ((change: Change) => void)[] = [];
  return () => {
    let own: ((change: Change) => void) | undefined;
    return {
      tell: (change) => listeners.filter((l) => l !== own).forEach((l) => l(change)),
      hear: (listener) => void listeners.push((own = listener)),
    };
  };
}
