import { MessageType, type ClusterMessage } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';
import { describe, expect, it, vi } from 'vitest';
import { skippingUnheardBroadcasts, unheardHere, type RawStreamEntry } from '../../../server/cluster/unheard-broadcasts.ts';
import { RecordingClusterAdapter } from '../../support/recording-cluster-adapter.ts';

/** This node: sockets s1 and s2, both seeing all of site a; s1 also in the rooms of visitor v1 and conversation c1. */
const here = {
  uid: 'node-a',
  rooms: new Map([
    ['s1', new Set(['s1'])],
    ['s2', new Set(['s2'])],
    ['visitor:v1', new Set(['s1'])],
    ['conversation:c1', new Set(['s1'])],
    ['site-all:a', new Set(['s1', 's2'])],
  ]),
};

/**
 * What a broadcast becomes in the stream, written by socket.io-adapter itself (the streams adapter stores `data` as
 * JSON).
 */
function broadcast(rooms: string[], { except = [] as string[], from = 'node-b', body = 'Hello' } = {}): RawStreamEntry {
  const published: ClusterMessage[] = [];
  const nsp = { name: '/', sockets: new Map(), server: { encoder: { encode: () => [] } } } as unknown as Namespace;
  const sender = new RecordingClusterAdapter(nsp, published);
  sender.broadcast({ type: 2, data: ['message:new', { body, opts: { rooms: ['visitor:v1'] } }], nsp: '/' }, { rooms: new Set(rooms), except: new Set(except) });
  const [entry] = published;
  return { uid: from, nsp: '/', type: String(entry!.type), data: JSON.stringify((entry as { data: unknown }).data) };
}

describe('stream entries that nobody on this node hears', () => {
  it('are dropped when none of their rooms has a socket on this node', () => {
    expect(unheardHere(here, broadcast(['visitor:v2']))).toBe(true);
    expect(unheardHere(here, broadcast(['visitor:v2', 'conversation:c9'], { except: ['s1'] }))).toBe(true);
  });

  it('are dropped when every socket here in their rooms is one they except, by its id or by a room', () => {
    expect(unheardHere(here, broadcast(['visitor:v1'], { except: ['s1'] }))).toBe(true);
    // A conversation's own broadcast to its holders, but for those who see the whole site (they had the site's batch).
    expect(unheardHere(here, broadcast(['site-all:a', 'conversation:c1'], { except: ['site-all:a'] }))).toBe(true);
    expect(unheardHere(here, broadcast(['conversation:c1', 'visitor:v1'], { except: ['visitor:v9', 'conversation:c1'] }))).toBe(true);
  });

  it('go on when a socket here is in any of their rooms and in none of their exceptions', () => {
    expect(unheardHere(here, broadcast(['visitor:v2', 'conversation:c1']))).toBe(false);
    expect(unheardHere(here, broadcast(['site-all:a'], { except: ['s1'] }))).toBe(false);
    expect(unheardHere(here, broadcast(['conversation:c1', 'site-all:a'], { except: ['visitor:v1'] }))).toBe(false);
    expect(unheardHere(here, broadcast(['visitor:v1'], { except: ['s2', 'visitor:v9'] }))).toBe(false);
  });

  it('are read by their last options, whatever the text and the packet hold', () => {
    // broadcast()'s packet also holds an `opts` key naming a room that is here: only the broadcast's own options count.
    expect(unheardHere(here, broadcast(['visitor:v2'], { body: '"opts":{"rooms":["visitor:v1"]}} \\"opts\\":' }))).toBe(true);
    expect(unheardHere(here, broadcast(['visitor:v1'], { body: '"opts":{"rooms":["visitor:v9"]}}' }))).toBe(false);
  });

  it('go on when addressed to every socket, when not broadcasts, and when not read as expected', () => {
    expect(unheardHere(here, broadcast([]))).toBe(false);
    const join = { uid: 'node-b', nsp: '/', type: String(MessageType.SOCKETS_JOIN), data: JSON.stringify({ opts: { rooms: ['visitor:v2'], except: [] }, rooms: ['x'] }) };
    expect(unheardHere(here, join)).toBe(false);
    expect(unheardHere(here, { uid: 'node-b', nsp: '/', type: String(MessageType.HEARTBEAT) })).toBe(false);
    // Binary packets are msgpack in base64; a nested options key found last fails to parse: both left to the adapter.
    expect(unheardHere(here, { ...broadcast(['visitor:v2']), data: 'gqZwYWNrZXQ=' })).toBe(false);
    const nestedLast = JSON.stringify({ opts: { rooms: ['visitor:v2'], except: [], flags: {} }, packet: { data: [{ opts: { rooms: ['visitor:v9'] } }] } });
    expect(unheardHere(here, { uid: 'node-b', nsp: '/', type: String(MessageType.BROADCAST), data: nestedLast })).toBe(false);
    const oddExceptions = JSON.stringify({ packet: {}, opts: { rooms: ['visitor:v2'], except: [7], flags: {} } });
    expect(unheardHere(here, { uid: 'node-b', nsp: '/', type: String(MessageType.BROADCAST), data: oddExceptions })).toBe(false);
  });

  it('are dropped when this node wrote them (the adapter ignores its own)', () => {
    expect(unheardHere(here, broadcast(['visitor:v1'], { from: 'node-a' }))).toBe(true);
    expect(unheardHere(here, { uid: 'node-a', nsp: '/', type: String(MessageType.SOCKETS_JOIN), data: '{}' })).toBe(true);
  });
});

describe('the adapter factory wrapped', () => {
  it("hands each namespace's adapter only the entries someone on this node may hear", () => {
    const handled = vi.fn();
    const adapter = { ...here, onRawMessage: handled };
    const factory = skippingUnheardBroadcasts((() => adapter) as unknown as Parameters<typeof skippingUnheardBroadcasts>[0]);
    // As Socket.IO makes a namespace's adapter: with `new`.
    const made = new (factory as unknown as new (nsp: unknown) => typeof adapter)({});
    made.onRawMessage(broadcast(['visitor:v2']), '1-0');
    made.onRawMessage(broadcast(['visitor:v1']), '2-0');
    expect(handled.mock.calls).toEqual([[broadcast(['visitor:v1']), '2-0']]);
  });
});
