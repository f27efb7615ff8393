/** `/agent`: handshake with an agent access token from our own origin (the console), then thin handlers. */
import { isOwnOrigin } from '../auth/origins.ts';
import type { AuthService } from '../app/auth.ts';
import { teamOf } from '../app/directory.ts';
import { AppError } from '../app/errors.ts';
import { limitCommands } from './command.ts';
import { handshakeGuard, handshakeInfo, type NamespaceDeps } from './handshake.ts';
import { rooms, type AgentNamespace } from './notifier.ts';
import * as schemas from './schemas.ts';
import { closeAtExpiry, type TokenExpiryData } from './token-expiry.ts';

interface AgentSocketData extends TokenExpiryData {
  agentId: string;
  sessionId: string;
}

export function mountAgentNamespace(
  nsp: AgentNamespace,
  deps: NamespaceDeps & { auth: Pick<AuthService, 'authenticate'> },
): void {
  nsp.use(handshakeGuard(deps.log, 'agent:handshake', async (socket) => {
    const { origin, host, secure } = handshakeInfo(socket.handshake, deps.trust);
    if (!isOwnOrigin(origin, { host, secure }, deps.publicOrigin)) {
      throw new AppError('ORIGIN_NOT_ALLOWED', `Origin ${origin ?? '(none)'} may not open an agent connection`);
    }
    const claims = await deps.auth.authenticate((socket.handshake.auth as { token?: unknown } | undefined)?.token);
    await deps.limits.take('agentConnect', claims.agentId);
    // An agent created by another process (the CLI) is read from the database on first sight.
    const agent = deps.routing.agent(claims.agentId) ?? (await deps.routing.refreshAgent(claims.agentId));
    if (!agent || !agent.active) throw new AppError('UNAUTHORIZED', 'Agent account is not active');
    socket.data = { agentId: agent.id, sessionId: claims.sessionId, tokenExpiresAt: claims.expiresAt.getTime() } satisfies AgentSocketData;
  }));

  // The rooms are worked out before the connection is accepted and joined as it opens, so no event slips between.
  const roomsOf = new WeakMap<object, string[]>();
  nsp.use(handshakeGuard(deps.log, 'agent:rooms', async (socket) => {
    const { agentId } = socket.data as AgentSocketData;
    roomsOf.set(socket, await agentRooms(agentId));
  }));

  nsp.on('connection', (socket) => {
    const { agentId, sessionId, tokenExpiresAt } = socket.data as AgentSocketData;
    const { routing, conversations, command, log } = deps;
    // At once, not with the other rooms: signing out must reach this connection from its first moment.
    void socket.join(rooms.login(sessionId));
    closeAtExpiry(socket, tokenExpiresAt);
    const presenceChanged = () => routing.presenceChanged().catch((err) => log.error({ err, agentId }, 'presence update failed'));
    presenceChanged();
    socket.on('disconnect', presenceChanged);

    limitCommands(socket, deps.limits, 'agentCommand', () => agentId, log);
    socket.on('conversation:list', command('conversation:list', schemas.listRequest, (req) => conversations.listForAgent(agentId, req.view, req.limit)));
    socket.on('conversation:get', command('conversation:get', schemas.conversationRef, (req) => conversations.agentDetail(agentId, req.conversationId)));
    socket.on('history:get', command('history:get', schemas.historyRequest, (req) => conversations.agentHistory(agentId, req)));
    socket.on('message:send', command('message:send', schemas.agentSend, (req) => conversations.agentSend(agentId, req)));
    socket.on('typing', command('typing', schemas.typingRequest, (req) => conversations.agentTyping(agentId, req)));
    socket.on('conversation:claim', command('conversation:claim', schemas.conversationRef, (req) => routing.claim({ agentId }, req.conversationId)));
    socket.on('conversation:transfer', command('conversation:transfer', schemas.transferRequest, async (req) => (await routing.transfer({ agentId }, req.conversationId, req.agentId)).conversation));
    socket.on('conversation:unassign', command('conversation:unassign', schemas.conversationRef, async (req) => (await routing.unassign({ agentId }, req.conversationId)).conversation));
    socket.on('conversation:resolve', command('conversation:resolve', schemas.conversationRef, async (req) => (await routing.resolve({ agentId }, req.conversationId)).conversation));
    socket.on('agent:setStatus', command('agent:setStatus', schemas.statusRequest, (req) => routing.setStatus(agentId, req.status)));
    socket.on('agents:list', command('agents:list', schemas.empty, async () => teamOf(routing, agentId)));
    socket.on('conversation:read', command('conversation:read', schemas.readRequest, (req) => conversations.agentRead(agentId, req)));
    socket.on('conversation:reopen', command('conversation:reopen', schemas.conversationRef, (req) => conversations.reopen(agentId, req.conversationId)));
    socket.on('conversation:search', command('conversation:search', schemas.searchRequest, (req) => conversations.search(agentId, req)));
    socket.on('conversation:setLabels', command('conversation:setLabels', schemas.labelsRequest, (req) => conversations.setLabels(agentId, req)));
    socket.on('canned:list', command('canned:list', schemas.cannedRequest, (req) => conversations.canned(agentId, req.siteId)));
    void socket.join(roomsOf.get(socket) ?? []);
  });

  async function agentRooms(agentId: string): Promise<string[]> {
    const agent = deps.routing.agent(agentId)!;
    const live = await deps.conversations.liveScope(agentId);
    return [
      rooms.agent(agentId),
      rooms.agents,
      ...live.queues.map(rooms.site),
      ...live.whole.map(rooms.siteAll),
      ...live.following.map(rooms.conversation),
      ...(agent.role === 'admin' ? [rooms.admins] : []),
    ];
  }
}
