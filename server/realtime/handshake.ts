import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { ApiError } from '../contract/errors.ts';
import type { Limits } from '../app/limits.ts';
import type { ConversationService } from '../app/conversations.ts';
import type { Routing } from '../app/routing-port.ts';
import type { Logger } from '../app/logger.ts';
import { forwardedClient, type Trust } from '../auth/client-address.ts';
import type { TokenSigner } from '../auth/tokens.ts';
import { AppError } from '../app/errors.ts';
import { toApiError, type CommandObserver, type InFlight } from './command.ts';

/** A refused handshake: the client sees `err.message` and `err.data` (the typed error) in connect_error. */
export type HandshakeError = Error & { data: ApiError };

/** What both namespaces are built from. */
export interface NamespaceDeps {
  signer: TokenSigner;
  conversations: ConversationService;
  routing: Routing;
  limits: Limits;
  log: Logger;
  /** Commands still running, which shutdown waits for. */
  inflight: InFlight;
  publicOrigin: string | undefined;
  /** TRUST_PROXY, compiled: the same function Express uses. */
  trust: Trust;
  /** Told how long each command took from arrival to ack (metrics). */
  onAnswered?: CommandObserver;
}

/**
 * A namespace middleware that admits the socket when `admit` resolves, and otherwise refuses the handshake
 * with the typed error (`connect_error` with `data: { code, message }`).
 */
export function handshakeGuard<S extends Socket>(log: Logger, name: string, admit: (socket: S) => Promise<void>) {
  return (socket: S, next: (err?: Error) => void) => {
    admit(socket).then(
      () => next(),
      (error: unknown) => {
        const apiError = toApiError(log, name, error);
        next(Object.assign(new Error(apiError.message), { data: apiError }) as HandshakeError);
      },
    );
  };
}

/** Who is connecting: origin, and the client's address, host and scheme as trusted proxies report them. */
export function handshakeInfo(handshake: Socket['handshake'], trust: Trust) {
  const client = forwardedClient(trust, { address: handshake.address, encrypted: handshake.secure, headers: handshake.headers });
  return { origin: handshake.headers.origin, ...client };
}

/**
 * Socket.IO's default namespace `/` serves nothing here; left open it would take any WebSocket with no token or
 * origin check. Clients connect to /visitor or /agent.
 */
export function refuseDefaultNamespace(io: Server, log: Logger): void {
  io.use(handshakeGuard(log, 'default-namespace', async () => {
    throw new AppError('NOT_FOUND', 'No such namespace; connect to /visitor or /agent');
  }));
}

/**
 * Every connection keeps the HTTP request it was opened with (an IncomingMessage: raw headers, parser and stream
 * state) for as long as it lives, held twice by engine.io: as the connection's `request`, only for Socket.IO to
 * build each namespace's handshake from, and by the stand-in response its middlewares get, only for the headers
 * they set. Keeping just the fields the handshake reads (socket.io's Socket#buildHandshake) frees it on every
 * connection, and still serves a client that joins a namespace later over the same connection.
 */
export function trimHandshakeRequests(io: Server): void {
  io.engine.use((_req: IncomingMessage, res: { req?: unknown }, next: () => void) => {
    next();
    // The last middleware has run, so nobody sets a header any more; a real response (not an upgrade) is left alone.
    if (!(res instanceof ServerResponse)) res.req = undefined;
  });
  io.engine.on('connection', (connection: { request: IncomingMessage & { _query?: unknown } }) => {
    const { headers, url, _query, socket } = connection.request;
    const encrypted = (socket as { encrypted?: boolean } | null)?.encrypted === true;
    connection.request = { headers, url, _query, connection: { encrypted } } as unknown as typeof connection.request;
  });
}
