/**
 * Every node reads every entry of the cluster's Redis stream, its own included, and the Socket.IO adapter parses
 * each one whole (JSON), and encodes its packet again for sockets here, before it looks whether it came from this
 * node or whether any socket here is to hear it. Most are heard by no one here: a visitor's other tabs and an
 * agent's console sit on one node of several, and a conversation's own broadcast to its holders excepts those who
 * see the whole site, who heard it in the site's batch. This drops, unparsed, this node's own entries and
 * broadcasts from other nodes that no socket here would get (in none of the rooms, or in one of the exceptions),
 * reading only the options off the entry's end; what someone here hears goes on as before.
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
 * An entry this node wrote (the adapter ignores those once parsed), or a broadcast from another node that no
 * socket here would get: none is in its rooms but not in its exceptions, as the adapter would find. Broadcasts
 * that want acknowledgements never come this way (the adapter sends them over PUB/SUB). Anything not read as
 * expected is left to the adapter.
 */
export function unheardHere(adapter: Pick<StreamAdapterView, 'uid' | 'rooms'>, entry: RawStreamEntry): boolean {
  if (entry.uid === adapter.uid) return true;
  if (entry.type !== BROADCAST || !entry.data?.startsWith('{')) return false;
  const audience = broadcastAudience(entry.data);
  return audience !== undefined && audience.rooms.length > 0 && !heardHere(adapter.rooms, audience);
}

/** Whether a socket here is in one of the rooms and in none of the exceptions (rooms too: a socket id is its own room). */
function heardHere(here: Map<string, Set<string>>, { rooms, except }: BroadcastAudience): boolean {
  const excepted = except.map((room) => here.get(room)).filter((sockets) => sockets !== undefined);
  for (const room of rooms) {
    for (const socketId of here.get(room) ?? []) if (!excepted.some((sockets) => sockets.has(socketId))) return true;
  }
  return false;
}

interface BroadcastAudience {
  rooms: string[];
  except: string[];
}

/**
 * The rooms and exceptions of a broadcast's JSON, parsing only its options, which the adapter writes last. User text
 * cannot hold the key with its bare quotes (JSON escapes them). A key of that name nested in the packet, found
 * instead, leaves closing brackets after the one object that `{` + the rest makes, so it fails to parse and the
 * adapter decides.
 */
function broadcastAudience(json: string): BroadcastAudience | undefined {
  const at = json.lastIndexOf(OPTIONS_KEY);
  if (at < 0) return undefined;
  try {
    const { opts } = JSON.parse(`{${json.slice(at)}`) as { opts?: { rooms?: unknown; except?: unknown } };
    const { rooms, except = [] } = opts ?? {};
    return roomNames(rooms) && roomNames(except) ? { rooms, except } : undefined;
  } catch {
    return undefined;
  }
}

const roomNames = (value: unknown): value is string[] => Array.isArray(value) && value.every((room) => typeof room === 'string');
