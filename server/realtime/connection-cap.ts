/**
 * At most so many open WebSockets per client address key (domain/address-key.ts), whatever namespaces they
 * join, or none: one address cannot hold thousands of idle connections. Counted per process (each node of a
 * cluster keeps its own count), scaled by RATE_LIMIT_SCALE like every abuse limit. A connection over the cap
 * hears a typed RATE_LIMITED at its first namespace handshake and is closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { AppError } from '../app/errors.ts';
import type { Logger } from '../app/logger.ts';
import { forwardedClient, type Trust } from '../auth/client-address.ts';
import { addressKey } from '../domain/address-key.ts';
import { handshakeGuard } from './handshake.ts';

/** Open WebSockets per address key at RATE_LIMIT_SCALE=1: the tabs of everyone behind one office NAT. */
export const CONNECTIONS_PER_ADDRESS = 100;
/** When a refused client may try again: by then its other connections may have closed. */
const RETRY_AFTER_MS = 10_000;
/** An over-cap connection that never asks for a namespace (so never hears why) is closed after this long. */
const UNCLAIMED_CLOSE_MS = 5_000;

interface EngineConnection {
  remoteAddress: string;
  request: IncomingMessage;
  once(event: 'close', listener: () => void): void;
  close(): void;
}

/**
 * Counts every engine connection of `io` by address key; returns the namespace middleware that refuses one
 * over the cap. Mount it first on every namespace.
 */
export function capConnectionsPerAddress(io: Server, options: { trust: Trust; scale: number; log: Logger }) {
  const max = Math.max(1, Math.floor(CONNECTIONS_PER_ADDRESS * options.scale));
  const open = new Map<string, number>();
  const overCap = new WeakSet<object>();

  io.engine.on('connection', (connection: EngineConnection) => {
    const { headers } = connection.request;
    const key = addressKey(forwardedClient(options.trust, { address: connection.remoteAddress, encrypted: false, headers }).ip);
    const count = (open.get(key) ?? 0) + 1;
    open.set(key, count);
    connection.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
    if (count > max) {
      overCap.add(connection);
      setTimeout(() => connection.close(), UNCLAIMED_CLOSE_MS).unref();
    }
  });

  return handshakeGuard(options.log, 'connection-cap', async (socket: Socket) => {
    if (!overCap.has(socket.conn)) return;
    // After the refusal has been written: the engine sends what is queued before it closes.
    setImmediate(() => socket.conn.close());
    throw new AppError('RATE_LIMITED', 'Too many connections from your network; please try again later', RETRY_AFTER_MS);
  });
}
