import type { Socket } from 'socket.io';
import type { ApiError } from '../contract/errors.ts';

/** A refused handshake: the client sees `err.message` and `err.data` (the typed error) in connect_error. */
export type HandshakeError = Error & { data: ApiError };

export function handshakeInfo(handshake: Socket['handshake'], trustProxy: boolean) {
  const header = (name: string) => {
    const value = handshake.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const forwardedProto = trustProxy ? header('x-forwarded-proto')?.split(',')[0]?.trim() : undefined;
  const forwardedFor = trustProxy ? header('x-forwarded-for')?.split(',')[0]?.trim() : undefined;
  return {
    ip: forwardedFor || handshake.address,
    origin: header('origin'),
    host: (trustProxy ? header('x-forwarded-host') : undefined) ?? header('host'),
    secure: forwardedProto ? forwardedProto === 'https' : handshake.secure,
  };
}
