/** `/visitor`: handshake with a visitor token from an allowed origin, then thin handlers over use cases. */
import { isOriginAllowed, isOwnOrigin } from '../auth/origins.ts';
import type { VisitorActor } from '../app/conversations.ts';
import { AppError } from '../app/errors.ts';
import type { VisitorService } from '../app/visitors.ts';
import type { Store } from '../app/ports.ts';
import { limitCommands } from './command.ts';
import { handshakeGuard, handshakeInfo, type NamespaceDeps } from './handshake.ts';
import { rooms, type VisitorNamespace } from './notifier.ts';
import * as schemas from './schemas.ts';
import { closeAtExpiry, type TokenExpiryData } from './token-expiry.ts';

export function mountVisitorNamespace(
  nsp: VisitorNamespace,
  deps: NamespaceDeps & { store: Store; visitors: VisitorService },
): void {
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
    const { conversations, visitors, command, limits } = deps;
    limitCommands(socket, limits, 'visitorCommand', () => visitor.visitorId, deps.log);
    socket.on('message:send', command('message:send', schemas.visitorSend, (req) => conversations.visitorSend(visitor, req)));
    socket.on('conversation:list', command('conversation:list', schemas.empty, () => conversations.listForVisitor(visitor)));
    socket.on('history:get', command('history:get', schemas.historyRequest, (req) => conversations.visitorHistory(visitor, req)));
    socket.on('typing', command('typing', schemas.typingRequest, (req) => conversations.visitorTyping(visitor, req)));
    socket.on('conversation:read', command('conversation:read', schemas.readRequest, (req) => conversations.visitorRead(visitor, req)));
    socket.on('conversation:rate', command('conversation:rate', schemas.rateRequest, (req) => conversations.rate(visitor, req)));
    socket.on('visitor:update', command('visitor:update', schemas.visitorUpdate, async (req) => {
      await limits.take('visitorProfile', visitor.visitorId);
      return visitors.update(visitor, req);
    }));
    socket.on('visitor:identify', command('visitor:identify', schemas.identifyRequest, async (req) => {
      await limits.take('visitorProfile', visitor.visitorId);
      const result = await visitors.identify(visitor, req);
      if (result.visitor.id !== visitor.visitorId) {
        void socket.leave(rooms.visitor(visitor.visitorId));
        visitor.visitorId = result.visitor.id;
        void socket.join(rooms.visitor(visitor.visitorId));
      }
      return result;
    }));
  });
}
