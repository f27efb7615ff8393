/** The only module that emits to clients, and the only one that names rooms. */
import type { Namespace, Server } from 'socket.io';
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO, QueuePositionDTO, SystemEvent, TeamMemberDTO, VisitorChange } from '../contract/dto.ts';
import type { AgentClientToServer, AgentServerToClient, TypingEvent, VisitorClientToServer, VisitorServerToClient, WebhookDisabledNotice } from '../contract/events.ts';
import type { HolderChange, Notifier } from '../app/ports.ts';
import type { ApiError } from '../contract/errors.ts';
import type { EmailDTO } from '../contract/email.ts';
import { agentConcerned } from '../domain/system-events.ts';
import { withoutEmail } from '../app/directory.ts';
import type { SiteVisibilityCache } from '../app/site-visibility-cache.ts';
import { audienceViews, joinsQueue, visitorView, type PendingChange } from './conversation-views.ts';

export type VisitorNamespace = Namespace<VisitorClientToServer, VisitorServerToClient>;
export type AgentNamespace = Namespace<AgentClientToServer, AgentServerToClient>;

/** Events between nodes of a cluster (Socket.IO serverSideEmit over the Redis adapter). */
export const serverEvents = {
  agentState: 'parley:agent-state',
  agentChanged: 'parley:agent-changed',
  pushSubscriptionsChanged: 'parley:push-subscriptions-changed',
  webhookEndpointsChanged: 'parley:webhook-endpoints-changed',
  siteVisibilityChanged: 'parley:site-visibility-changed',
} as const;

export const rooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  /** Every agent serving the site: its queue, its visitors. */
  site: (siteId: string) => `site:${siteId}`,
  /** Agents who see all of the site's conversations: admins, and everyone where the site allows it. */
  siteAll: (siteId: string) => `site-all:${siteId}`,
  /** Agents who hold or held the conversation. */
  conversation: (conversationId: string) => `conversation:${conversationId}`,
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

/**
 * How often, at most, a site's agents hear of conversations joining its queue while more keep coming. Every agent
 * serving the site hears of each that waits, the away ones too, and each frame redraws their queue: sent every turn
 * of the event loop, the bench's burst (2,000 arrivals in 5 s, 200 agents) sent each agent about 175 frames, and
 * most of the server's socket writes were those. The first arrival after a quiet spell goes out at once; any other
 * change of the site takes the waiting ones along, in order. A fifth of a second is below what a person watching
 * the queue notices.
 */
export const QUEUE_ARRIVALS_EVERY_MS = 200;

/** A site's messages of one turn: all of them for those who see the whole site, and per conversation for the rest. */
interface PendingForSite {
  messages: MessageDTO[];
  byConversation: Map<string, { conversation: ConversationDTO; messages: MessageDTO[] }>;
}

export class SocketNotifier implements Notifier {
  /**
   * Messages on their way to agents, by site. Agents who see all of a site hear every message of it, so they go
   * out together on the next turn of the event loop (by then a group commit's whole batch is here): one
   * frame per agent per batch rather than per message. The rest hear, per conversation, of those they follow.
   */
  private readonly agentsPending = new Map<string, PendingForSite>();
  /**
   * Conversation changes on their way to agents, by site, oldest first. A routing turn changes many at once (a
   * burst's assignments), and every agent of the site hears of each: one frame per room per turn rather than one
   * per change. At most one of the two kinds is pending at a time, so neither overtakes the other.
   */
  private readonly changesPending = new Map<string, PendingChange[]>();
  /** By site: until when its queue's arrivals wait for company, set when some were sent (QUEUE_ARRIVALS_EVERY_MS). */
  private readonly arrivalsHeldUntil = new Map<string, number>();
  private arrivalsTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  /**
   * Agents' live state (status, load) on its way to colleagues, by agent, the newest kept. A routing turn changes
   * the load of every agent it assigns to (a shift coming online): one frame per room per turn, not per agent.
   */
  private readonly agentChanges = new Map<string, { agent: AgentDTO; siteIds: string[] | 'all' }>();
  /** Conversation rooms each agent is to join: whoever gets a conversation follows it from its first line on. */
  private readonly joinsPending = new Map<string, string[]>();
  private flushScheduled = false;

  private readonly peers: Pick<Server, 'serverSideEmit'> | undefined;
  private readonly siteVisibility: Pick<SiteVisibilityCache, 'peek' | 'changed'> | undefined;

  constructor(
    private readonly visitors: VisitorNamespace,
    private readonly agents: AgentNamespace,
    options: {
      /** In a cluster, agents' live state also goes to the other nodes, which answer reads from it. */
      peers?: Pick<Server, 'serverSideEmit'>;
      /** Which sites every agent sees whole: there, no broadcast is made to those outside the whole-site room. */
      siteVisibility?: Pick<SiteVisibilityCache, 'peek' | 'changed'>;
    } = {},
  ) {
    this.peers = options.peers;
    this.siteVisibility = options.siteVisibility;
  }

  /**
   * Whether every agent who may hear of the site's conversations sees the whole site (known now), so that a
   * broadcast to a conversation's holders or the site's queue, excepting the whole-site room, would reach no one.
   * In a cluster each such broadcast is a Redis stream entry that every node reads: one per message, for nobody.
   */
  private seenWhole(siteId: string): boolean {
    return this.siteVisibility?.peek(siteId) === true;
  }

  messageCreated(message: MessageDTO, conversation: ConversationDTO, { sentFrom, opened }: { sentFrom?: string; opened?: boolean } = {}): void {
    if (message.authorKind !== 'note') {
      const room = this.visitors.to(rooms.visitor(conversation.visitorId));
      (sentFrom ? room.except(sentFrom) : room).emit('message:new', message);
      // The line that names the conversation's new holder brings the visitor's view of it along, as committed: the
      // holder change itself (conversationChanged) waits for the agents' summary, read in batches of a routing turn.
      if (message.system && holderLine(message.system)) room.emit('conversation:updated', visitorView(conversation));
    }
    // Agents meet a new conversation whole, its first message inside (conversation.queued): sent alone, before
    // it, that message would reach every agent of the site twice, first for a conversation they cannot show yet.
    if (opened) return;
    // Whoever gets the conversation follows it from its first line on.
    const holder = message.system && agentConcerned(message.system);
    if (holder) this.joinsPending.set(holder, [...(this.joinsPending.get(holder) ?? []), rooms.conversation(conversation.id)]);
    // Taken from the queue: the conversation change that follows tells every agent of the site (its lastSeq
    // included), and the few with the transcript open fetch the line. Sent too, it would reach them all twice
    // (a burst's drain: most of what agents receive).
    if (message.system?.type === 'assigned') return this.scheduleFlush();
    if (this.changesPending.size > 0) this.flushChanges();
    let pending = this.agentsPending.get(conversation.siteId);
    if (!pending) this.agentsPending.set(conversation.siteId, (pending = { messages: [], byConversation: new Map() }));
    pending.messages.push(message);
    const own = pending.byConversation.get(conversation.id);
    if (own) {
      own.messages.push(message);
      own.conversation = conversation;
    } else pending.byConversation.set(conversation.id, { conversation, messages: [message] });
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushTurn);
  }

  /** The turn's events, but a queue's arrivals held for others to join; agents' live state says nothing of them. */
  private readonly flushTurn = (): void => {
    this.flushScheduled = false;
    this.flushToAgents(false);
  };

  private flushToAgents(releaseArrivals = true): void {
    this.flushMessages();
    this.flushChanges(releaseArrivals);
    this.flushAgentChanges();
  }

  /** Each new holder joins their conversations' rooms, one operation per holder per turn, before anything is sent to them. */
  private flushJoins(): void {
    for (const [agentId, conversationRooms] of this.joinsPending) this.agents.in(rooms.agent(agentId)).socketsJoin(conversationRooms);
    this.joinsPending.clear();
  }

  private flushMessages(): void {
    this.flushJoins();
    for (const [siteId, { messages, byConversation }] of this.agentsPending) {
      this.agents.to(rooms.siteAll(siteId)).emit('messages:new', messages);
      if (this.seenWhole(siteId)) continue;
      for (const { conversation, messages: own } of byConversation.values()) {
        this.agents.to(audience(conversation)).except(rooms.siteAll(siteId)).emit('messages:new', own);
      }
    }
    this.agentsPending.clear();
  }

  /**
   * A site's changes of a turn, as each audience may know them (audienceViews): one frame to those who see the whole
   * site, one to those who watch only its queue, or one to all where both hear the same (a drain's assignments,
   * conversations left waiting); and its holders, past and present, each conversation whole where they may not know
   * it as it is now.
   */
  private flushChanges(releaseArrivals = true): void {
    this.flushJoins();
    const now = Date.now();
    for (const [siteId, changes] of this.changesPending) {
      if (!releaseArrivals && now < (this.arrivalsHeldUntil.get(siteId) ?? 0) && changes.every(joinsQueue)) continue;
      this.changesPending.delete(siteId);
      if (changes.some(joinsQueue)) this.arrivalsHeldUntil.set(siteId, now + QUEUE_ARRIVALS_EVERY_MS);
      const wholeSite = rooms.siteAll(siteId);
      const outsiders = !this.seenWhole(siteId);
      const views = changes.map(audienceViews);
      const forWholeSite = views.flatMap((v) => (v.wholeSite ? [v.wholeSite] : []));
      const forQueue = outsiders ? views.flatMap((v) => (v.queue ? [v.queue] : [])) : [];
      if (outsiders && views.every((v) => v.wholeSite === v.queue)) {
        if (forQueue.length > 0) this.agents.to(rooms.site(siteId)).emit('conversations:updated', forQueue);
      } else {
        if (forWholeSite.length > 0) this.agents.to(wholeSite).emit('conversations:updated', forWholeSite);
        if (forQueue.length > 0) this.agents.to(rooms.site(siteId)).except(wholeSite).emit('conversations:updated', forQueue);
      }
      // Taken from the queue: every agent who may hold it saw it whole there. Assigned on arrival, a transfer or
      // any other change may reach a holder who has not seen it as it is now.
      if (!outsiders) continue;
      for (const { conversation, holder, queue } of changes) {
        if (holder === 'assigned' || queue === 'waiting') continue;
        this.agents.to(rooms.conversation(conversation.id)).except(wholeSite).emit('conversations:updated', [conversation]);
      }
    }
    for (const [siteId, until] of this.arrivalsHeldUntil) if (until <= now && !this.changesPending.has(siteId)) this.arrivalsHeldUntil.delete(siteId);
    if (this.changesPending.size > 0) this.releaseArrivalsLater(now);
  }

  /** Held arrivals go out when the earliest site's wait ends, the others' then or later. */
  private releaseArrivalsLater(now: number): void {
    const due = Math.min(...[...this.changesPending.keys()].map((siteId) => this.arrivalsHeldUntil.get(siteId) ?? now));
    // A site held later may be due before the one the timer waits for.
    if (this.arrivalsTimer && this.arrivalsTimer.at <= due) return;
    if (this.arrivalsTimer) clearTimeout(this.arrivalsTimer.timer);
    const timer = setTimeout(() => {
      this.arrivalsTimer = undefined;
      this.flushToAgents(false);
    }, due - now);
    timer.unref();
    this.arrivalsTimer = { at: due, timer };
  }

  /**
   * Admins hear every change whole; colleagues sharing a site, without emails (grouped by the rooms they share);
   * then each changed agent their own record whole, after the copy without the email.
   */
  private flushAgentChanges(): void {
    if (this.agentChanges.size === 0) return;
    const changed = [...this.agentChanges.values()];
    this.agentChanges.clear();
    this.agents.to(rooms.admins).emit('agents:updated', changed.map((c) => c.agent));
    const byColleagues = new Map<string, { rooms: string[]; agents: TeamMemberDTO[] }>();
    for (const { agent, siteIds } of changed) {
      const colleagues = siteIds === 'all' ? [rooms.agents] : siteIds.map(rooms.site);
      if (colleagues.length === 0) continue;
      const key = colleagues.join(' ');
      const group = byColleagues.get(key) ?? { rooms: colleagues, agents: [] };
      group.agents.push(withoutEmail(agent));
      byColleagues.set(key, group);
    }
    for (const group of byColleagues.values()) this.agents.to(group.rooms).except(rooms.admins).emit('agents:updated', group.agents);
    for (const { agent } of changed) this.agents.to(rooms.agent(agent.id)).except(rooms.admins).emit('agents:updated', [agent]);
    this.peers?.serverSideEmit(serverEvents.agentState, changed.map((c) => c.agent));
  }

  /** Agents' events in the order they happened: what comes after a message or a change must not overtake it. */
  private toAgents(room: string | string[]) {
    if (this.agentsPending.size > 0 || this.changesPending.size > 0 || this.agentChanges.size > 0 || this.joinsPending.size > 0) this.flushToAgents();
    return this.agents.to(room);
  }

  read(conversation: ConversationDTO, by: 'visitor' | 'agent', seq: number): void {
    const event = { conversationId: conversation.id, seq, by };
    // The visitor's own reads go to their other tabs too, which clear their unread badges.
    this.visitors.to(rooms.visitor(conversation.visitorId)).emit('conversation:read', event);
    this.toAgents(audience(conversation)).emit('conversation:read', event);
  }

  visitorChanged(change: VisitorChange): void {
    this.toAgents(rooms.site(change.siteId)).emit('visitor:updated', change);
  }

  conversationChanged(conversation: ConversationSummaryDTO, holder?: HolderChange): void {
    // A holder change follows its system line, which told the visitor already (messageCreated).
    if (!holder) this.visitors.to(rooms.visitor(conversation.visitorId)).emit('conversation:updated', visitorView(conversation));
    this.pend({ conversation, holder });
  }

  /**
   * Agents hear of it once routing has decided, from the node that decided (in a cluster, the routing leader): told
   * by another node that it waits, a console could hear it after the leader's word that it was assigned. While
   * agents have room most conversations are assigned on arrival: those who watch only the queue never hear of them.
   */
  conversationQueued(conversation: ConversationSummaryDTO): void {
    this.visitors.to(rooms.visitor(conversation.visitorId)).emit('conversation:updated', visitorView(conversation));
    // Until then only its past holders hear of it: a new conversation, whose first line is all it has, has none.
    if (conversation.lastSeq > 1) this.pend({ conversation, queue: 'routing' });
  }

  conversationsWaiting(conversations: ConversationSummaryDTO[]): void {
    for (const conversation of conversations) this.pend({ conversation, queue: 'waiting' });
  }

  /** Messages first: what comes after a message must not overtake it. */
  private pend(change: PendingChange): void {
    if (this.agentsPending.size > 0) this.flushMessages();
    const pending = this.changesPending.get(change.conversation.siteId);
    if (pending) pending.push(change);
    else this.changesPending.set(change.conversation.siteId, [change]);
    this.scheduleFlush();
  }

  queuePosition(visitorId: string, position: QueuePositionDTO): void {
    this.visitors.to(rooms.visitor(visitorId)).emit('queue:position', position);
  }

  agentChanged(agent: AgentDTO, siteIds: string[] | 'all'): void {
    this.agentChanges.delete(agent.id); // re-added last: its newest state goes out in the order changes happened
    this.agentChanges.set(agent.id, { agent, siteIds });
    this.scheduleFlush();
  }

  typing(conversation: ConversationDTO, from: 'visitor' | 'agent', event: TypingEvent): void {
    if (from === 'visitor') this.toAgents(audience(conversation)).emit('typing', event);
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
    this.agents.in(rooms.admins).socketsJoin([rooms.site(siteId), rooms.siteAll(siteId)]);
  }

  siteVisibilityChanged(siteId: string): void {
    this.siteVisibility?.changed({ siteId });
    endSessions(this.agents.in(rooms.site(siteId)).except(rooms.admins), "What the site's agents may see changed");
  }

  webhookDisabled(notice: WebhookDisabledNotice): void {
    this.agents.to(rooms.admins).emit('webhook:disabled', notice);
  }

  emailChanged(email: EmailDTO): void {
    if (!email.conversationId || !email.siteId) return;
    this.agents.to([rooms.siteAll(email.siteId), rooms.conversation(email.conversationId)]).emit('email:updated', email);
  }
}

/** The system lines that come before a holder change (HolderChange): an assignment, a transfer. */
function holderLine(event: SystemEvent): boolean {
  return event.type === 'assigned' || event.type === 'transferred';
}

/** Agents who may see the conversation: those who see all of its site, its holders, and while it waits, the site's queue. */
function audience(conversation: Pick<ConversationDTO, 'id' | 'siteId' | 'status'>): string[] {
  const whoSee = [rooms.siteAll(conversation.siteId), rooms.conversation(conversation.id)];
  return conversation.status === 'queued' ? [...whoSee, rooms.site(conversation.siteId)] : whoSee;
}
