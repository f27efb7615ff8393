/** `/agent`: handshake with an agent access token from our own origin (the console), then thin handlers. */
import { isOwnOrigin } from '../auth/origins.ts';
import type { AuthService } from '../app/auth.ts';
import { teamOf } from '../app/directory.ts';
import { AppError } from '../app/errors.ts';
import type { InboundEmailService } from '../app/inbound-email.ts';
import type { SiteVisibilityCache } from '../app/site-visibility-cache.ts';
import type { AgentClientToServer } from '../contract/events.ts';
import { limitCommands, mountCommands, type CommandTable } from './command.ts';
import { handshakeGuard, handshakeInfo, type NamespaceDeps } from './handshake.ts';
import { rooms, type AgentNamespace } from './notifier.ts';
import * as schemas from './schemas.ts';
import { closeAtExpiry, type TokenExpiryData } from './token-expiry.ts';

export interface AgentSocketData extends TokenExpiryData {
  agentId: string;
  sessionId: string;
  /** The console tab is on screen, as it last said (alerts: server/app/alerts.ts). */
  consoleVisible?: boolean;
}

export function mountAgentNamespace(
  nsp: AgentNamespace,
  deps: NamespaceDeps & {
    auth: Pick<AuthService, 'authenticate'>;
    inboundEmail: InboundEmailService | undefined;
    siteVisibility: Pick<SiteVisibilityCache, 'changed'>;
  },
): void {
  const commands = agentCommands(deps);
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
    const { routing, log } = deps;
    // At once, not with the other rooms: signing out must reach this connection from its first moment.
    void socket.join(rooms.login(sessionId));
    closeAtExpiry(socket, tokenExpiresAt);
    const presenceChanged = () => routing.presenceChanged().catch((err) => log.error({ err, agentId }, 'presence update failed'));
    presenceChanged();
    socket.on('disconnect', presenceChanged);

    limitCommands(socket, deps.limits, 'agentCommand', () => agentId, log);
    const setVisible = (visible: boolean) => void ((socket.data as AgentSocketData).consoleVisible = visible);
    mountCommands(socket, commands, { agentId, setVisible }, deps);
    void socket.join(roomsOf.get(socket) ?? []);
  });

  async function agentRooms(agentId: string): Promise<string[]> {
    const agent = deps.routing.agent(agentId)!;
    const live = await deps.conversations.liveScope(agentId);
    // This console hears of its partly seen sites' conversations only through broadcasts to their holders and queue,
    // which a node skips while it takes the site as seen whole: one that looked before the setting changed (by
    // another process, say) looks again.
    for (const siteId of live.queues) if (!live.whole.includes(siteId)) deps.siteVisibility.changed({ siteId });
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

const noEmailReplies = (): never => {
  throw new AppError('NOT_FOUND', 'Email reply not found');
};

/** Who an agent's command acts for. */
interface AgentContext {
  agentId: string;
  setVisible(visible: boolean): void;
}

function agentCommands({ conversations, routing, inboundEmail }: NamespaceDeps & { inboundEmail: InboundEmailService | undefined }): CommandTable<AgentClientToServer, AgentContext> {
  return {
    'conversation:list': { schema: schemas.listRequest, run: (req, { agentId }) => conversations.listForAgent(agentId, req.view, req.limit) },
    'conversation:get': { schema: schemas.conversationRef, run: (req, { agentId }) => conversations.agentDetail(agentId, req.conversationId) },
    'history:get': { schema: schemas.historyRequest, run: (req, { agentId }) => conversations.agentHistory(agentId, req) },
    'message:send': { schema: schemas.agentSend, run: (req, { agentId }) => conversations.agentSend(agentId, req) },
    typing: { schema: schemas.typingRequest, run: (req, { agentId }) => conversations.agentTyping(agentId, req) },
    'conversation:claim': { schema: schemas.conversationRef, run: (req, actor) => routing.claim(actor, req.conversationId) },
    'conversation:transfer': {
      schema: schemas.transferRequest,
      run: async (req, actor) => (await routing.transfer(actor, req.conversationId, req.agentId)).conversation,
    },
    'conversation:unassign': { schema: schemas.conversationRef, run: async (req, actor) => (await routing.unassign(actor, req.conversationId)).conversation },
    'conversation:resolve': { schema: schemas.conversationRef, run: async (req, actor) => (await routing.resolve(actor, req.conversationId)).conversation },
    'agent:setStatus': { schema: schemas.statusRequest, run: (req, { agentId }) => routing.setStatus(agentId, req.status) },
    'agents:list': { schema: schemas.empty, run: async (_req, { agentId }) => teamOf(routing, agentId) },
    'conversation:read': { schema: schemas.readRequest, run: (req, { agentId }) => conversations.agentRead(agentId, req) },
    'conversation:reopen': { schema: schemas.conversationRef, run: (req, { agentId }) => conversations.reopen(agentId, req.conversationId) },
    'conversation:search': { schema: schemas.searchRequest, run: (req, { agentId }) => conversations.search(agentId, req) },
    'conversation:setLabels': { schema: schemas.labelsRequest, run: (req, { agentId }) => conversations.setLabels(agentId, req) },
    'console:visible': { schema: schemas.visibleRequest, run: async (req, { setVisible }) => (setVisible(req.visible), null) },
    'canned:list': { schema: schemas.cannedRequest, run: (req, { agentId }) => conversations.canned(agentId, req.siteId) },
    // Without MAIL_REPLY_DOMAIN no reply is ever held: none to list, none to decide on.
    'email:held': { schema: schemas.conversationRef, run: async (req, { agentId }) => (inboundEmail ? inboundEmail.held(agentId, req.conversationId) : []) },
    'email:accept': { schema: schemas.inboundEmailRef, run: async (req, { agentId }) => (inboundEmail ?? noEmailReplies()).accept(agentId, req.inboundEmailId) },
    'email:discard': { schema: schemas.inboundEmailRef, run: async (req, { agentId }) => (inboundEmail ?? noEmailReplies()).discard(agentId, req.inboundEmailId) },
  };
}
