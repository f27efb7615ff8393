/**
 * Every node reads every entry of the cluster's Redis stream, its own included, and the Socket.IO adapter parses
 * each one whole (JSON) before it looks whether it came from this node or whether any socket here is in its rooms.
 * Most are heard by no one here: a visitor's other tabs and an agent's console sit on one node of several. This
 * drops, unparsed, this node's own entries and broadcasts from other nodes to rooms none of which has a socket here,
 * reading only the rooms off the entry's end; what someone here may hear goes on as before.
 * Written here because the adapter has no hook for it: its own handler of raw stream entries is wrapped per namespace.
 */
import { MessageType } from 'socket.io-adapter';
import type { createAdapter } from '@socket.io/redis-streams-adapter';

type AdapterFactory = ReturnType<typeof createAdapter>;

/** A stream entry as the adapter stores it: `data` is JSON text, or base64 msgpack when the packet holds binary. */
export interface RawStreamEntry {
  uid: string;
  nsp: string;
  type: string;
  data?: string;
}

/** The parts of the stream adapter this reads: its id, its local rooms, and its handler of stream entries. */
interface StreamAdapterView {
  uid: string;
  rooms: Map<string, Set<string>>;
  onRawMessage(entry: RawStreamEntry, offset: string): void;
}

export function skippingUnheardBroadcasts(factory: AdapterFactory): AdapterFactory {
  // Socket.IO calls the factory with `new`: an arrow function cannot be.
  return function adapterFor(nsp) {
    const adapter = factory(nsp);
    const view = adapter as unknown as StreamAdapterView;
    const handle = view.onRawMessage.bind(adapter);
    view.onRawMessage = (entry, offset) => {
      if (!unheardHere(view, entry)) handle(entry, offset);
    };
    return adapter;
  };
}

const BROADCAST = String(MessageType.BROADCAST);
/**
 * Where a broadcast's options begin in its JSON: the adapter writes
 * `{"packet":…,"opts":{"rooms":…,"except":…,"flags":…}}`.
 */
const OPTIONS_KEY = '"opts":';

/**
 * An entry this node wrote (the adapter ignores those once parsed), or a broadcast from another node to named rooms
 * none of which has a socket here. Exceptions only narrow who hears it, so they need no look. Broadcasts that want
 * acknowledgements never come this way (the adapter sends them over PUB/SUB). Anything not read as expected is
 * left to the adapter.
 */
export function unheardHere(adapter: Pick<StreamAdapterView, 'uid' | 'rooms'>, entry: RawStreamEntry): boolean {
  if (entry.uid === adapter.uid) return true;
  if (entry.type !== BROADCAST || !entry.data?.startsWith('{')) return false;
  const rooms = broadcastRooms(entry.data);
  return rooms !== undefined && rooms.length > 0 && !rooms.some((room) => adapter.rooms.has(room));
}

/**
 * The rooms of a broadcast's JSON, parsing only its options, which the adapter writes last. User text cannot hold
 * the key with its bare quotes (JSON escapes them). A key of that name nested in the packet, found instead, leaves
 * closing brackets after the one object that `{` + the rest makes, so it fails to parse and the adapter decides.
 */
function broadcastRooms(json: string): string[] | undefined {
  const at = json.lastIndexOf(OPTIONS_KEY);
  if (at < 0) return undefined;
  try {
    const { opts } = JSON.parse(`{${json.slice(at)}`) as { opts?: { rooms?: unknown } };
    const rooms = opts?.rooms;
    return Array.isArray(rooms) && rooms.every((room) => typeof room === 'string') ? rooms : undefined;
  } catch {
    return undefined;
  }
}
