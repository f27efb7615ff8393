import { MessageType, type ClusterMessage } from 'socket.io-adapter';
import { describe, expect, it, vi } from 'vitest';
import { skippingUnheardBroadcasts, unheardHere } from '../../../server/cluster/unheard-broadcasts.ts';

/** This node: sockets s1 and s2; s1 in the rooms of visitor v1 and conversation c1. */
const here = {
  uid: 'node-a',
  rooms: new Map([
    ['s1', new Set(['s1'])],
    ['s2', new Set(['s2'])],
    ['visitor:v1', new Set(['s1'])],
    ['conversation:c1', new Set(['s1'])],
  ]),
};

function broadcast(rooms: string[], { except = [] as string[], from = 'node-b', requestId }: { except?: string[]; from?: string; requestId?: number } = {}): ClusterMessage {
  return {
    uid: from,
    nsp: '/',
    type: MessageType.BROADCAST,
    data: { opts: { rooms, except, flags: {} }, packet: { type: 2, data: ['message:new', {}], nsp: '/' }, ...(requestId !== undefined && { requestId }) },
  } as ClusterMessage;
}

describe('broadcasts from other nodes that nobody here hears', () => {
  it('are dropped when none of their rooms has a socket on this node', () => {
    expect(unheardHere(here, broadcast(['visitor:v2']))).toBe(true);
    expect(unheardHere(here, broadcast(['visitor:v2', 'conversation:c9'], { except: ['s1'] }))).toBe(true);
  });

  it('go on when any of their rooms has a socket here, whatever they except', () => {
    expect(unheardHere(here, broadcast(['visitor:v2', 'conversation:c1']))).toBe(false);
    expect(unheardHere(here, broadcast(['visitor:v1'], { except: ['s1'] }))).toBe(false);
  });

  it('go on when addressed to every socket, when the sender waits for acknowledgements, and when they are not broadcasts', () => {
    expect(unheardHere(here, broadcast([]))).toBe(false);
    expect(unheardHere(here, broadcast(['visitor:v2'], { requestId: 7 }))).toBe(false);
    expect(unheardHere(here, { uid: 'node-b', nsp: '/', type: MessageType.SOCKETS_JOIN, data: { opts: { rooms: ['visitor:v2'], except: [], flags: {} }, rooms: ['x'] } } as ClusterMessage)).toBe(false);
    expect(unheardHere(here, { uid: 'node-b', nsp: '/', type: MessageType.HEARTBEAT } as ClusterMessage)).toBe(false);
  });

  it('are left to the adapter when this node sent them (it ignores its own)', () => {
    expect(unheardHere(here, broadcast(['visitor:v2'], { from: 'node-a' }))).toBe(false);
  });
});

describe('the adapter factory wrapped', () => {
  it("hands each namespace's adapter only what someone on this node may hear", () => {
    const handled = vi.fn();
    const adapter = { ...here, onMessage: handled };
    const factory = skippingUnheardBroadcasts((() => adapter) as unknown as Parameters<typeof skippingUnheardBroadcasts>[0]);
    // As Socket.IO makes a namespace's adapter: with `new`.
    const made = new (factory as unknown as new (nsp: unknown) => typeof adapter)({});
    made.onMessage(broadcast(['visitor:v2']), '1-0');
    made.onMessage(broadcast(['visitor:v1']), '2-0');
    expect(handled.mock.calls).toEqual([[broadcast(['visitor:v1']), '2-0']]);
  });
});
