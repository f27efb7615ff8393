/** socket.io-client the way the widget and console use it: WebSocket only, one connection per client. */
import { io, type Socket } from 'socket.io-client';
import type { Ack } from '../../server/contract/errors.ts';

const CONNECT_TIMEOUT_MS = 15_000;
const ACK_TIMEOUT_MS = 10_000;

/**
 * `headers`: more request headers for the handshake (X-Forwarded-For behind the bench's pretend proxy); `parser`:
 * another packet parser than socket.io's own (counting-parser.ts).
 */
export function connect(url: string, auth: Record<string, unknown>, origin: string, headers: Record<string, string> = {}, parser?: unknown): Promise<Socket> {
  const socket = io(url, {
    ...(parser ? { parser } : {}),
    transports: ['websocket'],
    auth,
    extraHeaders: { ...headers, origin },
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Emits a command and resolves with its data; a refusal or a missing ack (after `timeoutMs`) rejects. */
export async function command<T>(socket: Socket, event: string, payload: unknown, timeoutMs = ACK_TIMEOUT_MS): Promise<T> {
  const answer = (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T>;
  if (!answer.ok) throw new Error(`${event}: ${answer.error.code} ${answer.error.message}`);
  return answer.data;
}

let counter = 0;
/** Unique in this process; the server accepts [A-Za-z0-9_.:-]{1,64}. */
export const nextClientId = () => `${process.pid}-${++counter}`;
