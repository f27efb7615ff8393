/** The bench consoles' parser: events are heard as frames and go no further; everything else decodes as usual. */
import { Encoder, PacketType, type Packet } from 'socket.io-parser';
import { expect, test } from 'vitest';
import { countingParser, eventFrameStart } from '../../../bench/load/counting-parser.ts';

const frame = (packet: Packet) => new Encoder().encode(packet)[0] as string;

test('event frames of the namespace are heard and not decoded; acks, connects and other namespaces decode', () => {
  const heard: string[] = [];
  const decoder = new (countingParser('/agent', (text) => heard.push(text)).Decoder)();
  const decoded: Packet[] = [];
  decoder.on('decoded', (packet: Packet) => decoded.push(packet));

  const event = frame({ type: PacketType.EVENT, nsp: '/agent', data: ['conversations:updated', [{ id: 'c1' }]] });
  const ack = frame({ type: PacketType.ACK, nsp: '/agent', id: 7, data: [{ ok: true, data: null }] });
  const connect = frame({ type: PacketType.CONNECT, nsp: '/agent', data: { sid: 's1' } });
  const elsewhere = frame({ type: PacketType.EVENT, nsp: '/visitor', data: ['message:new', {}] });
  for (const text of [event, ack, connect, elsewhere]) decoder.add(text);

  expect(heard).toEqual([event, ack, connect, elsewhere]);
  expect(event.startsWith(eventFrameStart('/agent', 'conversations:updated'))).toBe(true);
  expect(decoded.map((p) => [p.type, p.nsp])).toEqual([
    [PacketType.ACK, '/agent'],
    [PacketType.CONNECT, '/agent'],
    [PacketType.EVENT, '/visitor'],
  ]);
  expect(decoded[0]!.id).toBe(7);
});
