/**
 * A socket.io-client parser (the client's documented `parser` option) for simulated consoles that only count what
 * they hear: every frame is shown to `heard` as received; event packets of `namespace` go no further, undecoded,
 * while the rest (acknowledgements of their commands, connects, disconnects) is decoded as usual.
 * The bench runs its 200 agents' consoles on the same two cores as the servers it measures: decoding every event
 * (about 1.8 MB of JSON per console in the queue burst) took a third of a core there, which real consoles spend
 * on their agents' own machines. What the servers encode and write is the same either way.
 */
import { Decoder, Encoder, PacketType, protocol } from 'socket.io-parser';

export function countingParser(namespace: string, heard: (frame: string) => void) {
  const events = `${PacketType.EVENT}${namespace},`;
  class CountingDecoder extends Decoder {
    override add(frame: unknown): void {
      if (typeof frame === 'string') {
        heard(frame);
        if (frame.startsWith(events)) return;
      }
      super.add(frame);
    }
  }
  return { protocol, Encoder, Decoder: CountingDecoder };
}

/** The start of an event packet's frame in `namespace`, as the server writes it when the event asks no acknowledgement. */
export const eventFrameStart = (namespace: string, event: string) => `${PacketType.EVENT}${namespace},${JSON.stringify([event]).slice(0, -1)}`;
