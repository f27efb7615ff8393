/** The only module that emits to clients, and the only one that names rooms. */
import type { Namespace, Server } from 'socket.io';
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO, QueuePositionDTO, VisitorChange } from '../contract/dto.ts';
import type { AgentClientToServer, AgentServerToClient, TypingEvent, VisitorClientToServer, VisitorServerToClient } from '../contract/events.ts';
import type { Notifier } from '../app/ports.ts';
import type { ApiError } from '../contract/errors.ts';

export type VisitorNamespace = Namespace<VisitorClientToServer, VisitorServerToClient>;
export type AgentNamespace = Namespace<AgentClientToServer, AgentServerToClient>;

/** Events between nodes of a cluster (Socket.IO serverSideEmit over the Redis adapter). */
export const serverEvents = {
  routing: 'parley:routing',
  agentState: 'parley:agent-state',
  agentChanged: 'parley:agent-changed',
} as const;

export const rooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  site: (siteId: string) => `site:${siteId}`,
  agent: (agentId: string) => `agent:${agentId}`,
  /** An agent's connections opened with one login's access tokens. */
  login: (sessionId: string) => `login:${sessionId}`,
  /** Every visitor connection of a site (in the visitor namespace). */
  siteVisitors: (siteId: string) => `site-visitors:${siteId}`,
  admins: 'admins',
  agents: 'agents',
};

/** Says why, then closes: on every node (over the cluster adapter, in that order). The clients connect again. */
export function endSessions(target: { emit(event: 'session:ended', reason: ApiError): unknown; disconnectSockets(close: boolean): void }, message: string) {
  target.emit('session:ended', { code: 'UNAUTHORIZED', message });
  target.disconnectSockets(true);
}

export class SocketNotifier implements Notifier {
  /**
   * Messages on their way to agents, by site. Every agent of a site hears every message of it, so they go
   * out together on the next turn of the event loop (by then a group commit's whole batch is here): one
   * frame per agent per batch rather than per message.
   */
  private readonly agentsPending = new Map<string, MessageDTO[]>();
  private flushScheduled = false;

  constructor(
    private readonly visitors: VisitorNamespace,
    private readonly agents: AgentNamespace,
    /** In a cluster, agents' live state also goes to the other nodes, which answer reads from it. */
    private readonly peers?: Pick<Server, 'serverSideEmit'>,
  ) {}

  messageCreated(message: MessageDTO, conversation: ConversationDTO, sentFrom?: string): void {
    if (message.authorKind !== 'note') {
      const room = this.visitors.to(rooms.visitor(conversation.visitorId));
      (sentFrom ? room.except(sentFrom) : room).emit('message:new', message);
    }
    const pending = this.agentsPending.get(conversation.siteId);
    if (pending) pending.push(message);
    else this.agentsPending.set(conversation.siteId, [message]);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushToAgents);
  }

  private readonly flushToAgents = (): void => {
    this.flushScheduled = false;
    for (const [siteId, messages] of this.agentsPending) this.agents.to(rooms.site(siteId)).emit('messages:new', messages);
    this.agentsPending.clear();
  };

  /** Agents' events in the order they happened: what comes after a message must not overtake it. */
  private toAgents(room: string) {
    if (this.agentsPending.size > 0) this.flushToAgents();
    return this.agents.to(room);
  }

  read(conversation: ConversationDTO, by: 'visitor' | 'agent', seq: number): void {
    const event = { conversationId: conversation.id, seq, by };
    // The visitor's own reads go to their other tabs too, which clear their unread badges.
    this.visitors.to(rooms.visitor(conversation.visitorId)).emit('conversation:read', event);
    this.toAgents(rooms.site(conversation.siteId)).emit('conversation:read', event);
  }

  visitorChanged(change: VisitorChange): void {
    this.toAgents(rooms.site(change.siteId)).emit('visitor:updated', change);
  }

  conversationChanged(conversation: ConversationSummaryDTO): void {
    this.visitors.to(rooms.visitor(conversation.visitorId)).emit('conversation:updated', visitorView(conversation));
    this.toAgents(rooms.site(conversation.siteId)).emit('conversation:updated', conversation);
  }

  queuePosition(visitorId: string, position: QueuePositionDTO): void {
    this.visitors.to(rooms.visitor(visitorId)).emit('queue:position', position);
  }

  agentChanged(agent: AgentDTO): void {
    this.toAgents(rooms.agents).emit('agent:updated', agent);
    this.peers?.serverSideEmit(serverEvents.agentState, agent);
  }

  typing(conversation: ConversationDTO, from: 'visitor' | 'agent', event: TypingEvent): void {
    if (from === 'visitor') this.toAgents(rooms.site(conversation.siteId)).emit('typing', event);
    else this.visitors.to(rooms.visitor(conversation.visitorId)).emit('typing', event);
  }

  agentAccessChanged(agentId: string): void {
    endSessions(this.agents.in(rooms.agent(agentId)), 'Your access changed');
  }

  loginEnded(sessionId: string): void {
    endSessions(this.agents.in(rooms.login(sessionId)), 'Signed out');
  }

  siteVisitorsRevoked(siteId: string): void {
    endSessions(this.visitors.in(rooms.siteVisitors(siteId)), "The site's visitor key was rotated");
  }

  siteAdded(siteId: string): void {
    this.agents.in(rooms.admins).socketsJoin(rooms.site(siteId));
  }
}

/**
 * What the visitor may know of a conversation: the fields listed here and nothing else, so whatever agents'
 * summaries gain (labels, the last message, whatever comes next) never reaches a visitor by default.
 */
function visitorView(conversation: ConversationDTO): ConversationDTO {
  const { id, siteId, visitorId, status, queuedAt, assignedAt, firstResponseAt, resolvedAt, lastSeq } = conversation;
  const { visitorReadSeq, agentReadSeq, rating, ratingComment } = conversation;
  const assignee = conversation.assignee && { id: conversation.assignee.id, name: conversation.assignee.name, avatarUrl: conversation.assignee.avatarUrl };
  return { id, siteId, visitorId, status, assignee, queuedAt, assignedAt, firstResponseAt, resolvedAt, lastSeq, visitorReadSeq, agentReadSeq, rating, ratingComment };
}
