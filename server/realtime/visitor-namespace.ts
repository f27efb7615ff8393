/** `/visitor`: handshake with a visitor token from an allowed origin, then thin handlers over use cases. */
import { isOriginAllowed, isOwnOrigin } from '../auth/origins.ts';
import type { VisitorActor } from '../app/conversations.ts';
import { AppError } from '../app/errors.ts';
import type { VisitorService } from '../app/visitors.ts';
import type { TranscriptService } from '../app/transcripts.ts';
import type { Store } from '../app/ports.ts';
import type { VisitorClientToServer } from '../contract/events.ts';
import type { Socket } from 'socket.io';
import { limitCommands, mountCommands, type CommandTable } from './command.ts';
import { handshakeGuard, handshakeInfo, type NamespaceDeps } from './handshake.ts';
import { rooms, type VisitorNamespace } from './notifier.ts';
import * as schemas from './schemas.ts';
import { closeAtExpiry, type TokenExpiryData } from './token-expiry.ts';

type VisitorDeps = NamespaceDeps & { store: Store; visitors: VisitorService; transcripts: TranscriptService | undefined };

/** What a visitor's command acts for: the visitor (which identify may change) and their connection. */
interface VisitorContext {
  visitor: VisitorActor;
  socket: Socket;
}

export function mountVisitorNamespace(nsp: VisitorNamespace, deps: VisitorDeps): void {
  const commands = visitorCommands(deps);
  nsp.use(handshakeGuard(deps.log, 'visitor:handshake', async (socket) => {
    const { origin, host, secure, ip } = handshakeInfo(socket.handshake, deps.trust);
    const claims = deps.signer.verifyVisitor((socket.handshake.auth as { token?: unknown } | undefined)?.token);
    // Before the lookups: a client reconnecting in a loop costs one bucket check per attempt.
    await deps.limits.take('visitorConnect', claims.visitorId);
    const [site, visitor] = await Promise.all([deps.store.sites.findById(claims.siteId), deps.store.visitors.findById(claims.visitorId)]);
    if (!site || !visitor || visitor.siteId !== site.id) throw new AppError('UNAUTHORIZED', 'Unknown visitor');
    if (claims.keyVersion !== site.visitorKeyVersion) throw new AppError('UNAUTHORIZED', "Visitor token revoked by a rotation of the site's key");
    // The frame runs on our own origin; a page of the site may also connect directly.
    if (!isOwnOrigin(origin, { host, secure }, deps.publicOrigin) && !isOriginAllowed(origin, site.allowedOrigins)) {
      throw new AppError('ORIGIN_NOT_ALLOWED', `Origin ${origin ?? '(none)'} is not allowed for this site`);
    }
    socket.data = { visitorId: visitor.id, siteId: site.id, ip, connectionId: socket.id, tokenExpiresAt: claims.expiresAt.getTime() } satisfies VisitorActor & TokenExpiryData;
  }));

  nsp.on('connection', (socket) => {
    // Mutable: identify may turn this connection into another (known) visitor.
    const visitor = socket.data as VisitorActor;
    void socket.join([rooms.visitor(visitor.visitorId), rooms.siteVisitors(visitor.siteId)]);
    closeAtExpiry(socket, (socket.data as TokenExpiryData).tokenExpiresAt);
    deps.routing.sendPositions(visitor.visitorId);
    limitCommands(socket, deps.limits, 'visitorCommand', () => visitor.visitorId, deps.log);
    mountCommands(socket, commands, { visitor, socket }, deps);
  });
}

function visitorCommands({ conversations, visitors, limits, transcripts }: VisitorDeps): CommandTable<VisitorClientToServer, VisitorContext> {
  return {
    'message:send': { schema: schemas.visitorSend, run: (req, { visitor }) => conversations.visitorSend(visitor, req) },
    'conversation:list': { schema: schemas.empty, run: (_req, { visitor }) => conversations.listForVisitor(visitor) },
    'history:get': { schema: schemas.historyRequest, run: (req, { visitor }) => conversations.visitorHistory(visitor, req) },
    typing: { schema: schemas.typingRequest, run: (req, { visitor }) => conversations.visitorTyping(visitor, req) },
    'conversation:read': { schema: schemas.readRequest, run: (req, { visitor }) => conversations.visitorRead(visitor, req) },
    'conversation:rate': { schema: schemas.rateRequest, run: (req, { visitor }) => conversations.rate(visitor, req) },
    'conversation:handoff': { schema: schemas.conversationRef, run: (req, { visitor }) => conversations.visitorHandoff(visitor, req.conversationId) },
    'visitor:update': {
      schema: schemas.visitorUpdate,
      run: async (req, { visitor }) => {
        await limits.take('visitorProfile', visitor.visitorId);
        return visitors.update(visitor, req);
      },
    },
    'visitor:identify': {
      schema: schemas.identifyRequest,
      run: async (req, { visitor, socket }) => {
        await limits.take('visitorProfile', visitor.visitorId);
        const result = await visitors.identify(visitor, req);
        if (result.visitor.id !== visitor.visitorId) {
          void socket.leave(rooms.visitor(visitor.visitorId));
          visitor.visitorId = result.visitor.id;
          void socket.join(rooms.visitor(visitor.visitorId));
        }
        return result;
      },
    },
    'conversation:emailTranscript': {
      schema: schemas.conversationRef,
      run: async (req, { visitor }) => {
        if (!transcripts) throw new AppError('UNAVAILABLE', 'Email is not set up on this server');
        // Each request reads the whole history: counted like a profile change.
        await limits.take('visitorProfile', visitor.visitorId);
        return transcripts.emailTranscript(visitor, req.conversationId);
      },
    },
  };
}
