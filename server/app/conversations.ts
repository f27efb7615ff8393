/**
 * Conversation use cases for visitors and agents: sending (idempotent by clientId), reading history and
 * lists, typing. Routing actions (claim, transfer, unassign, resolve) go through routing (RoutingService, or its cluster front).
 */
import type { CannedResponseDTO, ConversationDTO, ConversationSummaryDTO, HistoryPage } from '../contract/dto.ts';
import type {
  AgentSendRequest,
  ConversationDetail,
  ConversationView,
  HistoryRequest,
  LabelsRequest,
  RateRequest,
  ReadRequest,
  SearchRequest,
  SendResult,
  TypingRequest,
  VisitorSendRequest,
} from '../contract/events.ts';
import { HISTORY_PAGE_MAX, MAX_PAGE_VIEWS_KEPT } from '../contract/events.ts';
import { addressKey } from '../domain/address-key.ts';
import type { Clock } from '../domain/clock.ts';
import { agentActor, visitorActor, type DomainEvents, type EventActor } from './events.ts';
import { AppError, notFound } from './errors.ts';
import { servesSite } from './access.ts';
import type { Limits, TakenAhead } from './limits.ts';
import type { AgentRecord, AppendResult, ConversationListQuery, NewMessage, Notifier, SendGuard, Store } from './ports.ts';
import type { Routing } from './routing-port.ts';
import { KeyedSerialQueue } from './serial.ts';
import type { AgentScope, LiveScope, Visibility } from './visibility.ts';
import { toEmailDTO } from '../email/ports.ts';

export interface VisitorActor {
  visitorId: string;
  siteId: string;
  /** Where the connection comes from, for per-network limits. */
  ip: string;
  /** The connection acting, whose answers already carry what it did. */
  connectionId?: string;
}

const LIST_LIMIT = 200;

/** Where a visitor's message goes: the conversation it names, or one found or started (which spends the token). */
type PostTarget = { conversationId: string } | { conversationToken: TakenAhead };

export class ConversationService {
  /**
   * A visitor's sends without a conversation id look for their open conversation or start one, one at a time:
   * two at once would both find none and start two conversations.
   */
  private readonly opening = new KeyedSerialQueue();

  constructor(
    private readonly store: Store,
    private readonly routing: Routing,
    private readonly events: DomainEvents,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    private readonly limits: Limits,
    private readonly visibility: Visibility,
    /** Whether the server sends email, shown with the conversation's emails. */
    private readonly emailEnabled: boolean,
  ) {}

  // --- visitors ----------------------------------------------------------------------------------

  /**
   * Spends one of the visitor's message tokens, except for a retry of a message already stored (the client resends
   * when an answer is lost): that is answered from storage, refused never and charged nothing. The stored message
   * is looked up only when the limit refuses, so an ordinary send costs no extra query; a retry let through
   * gets its token back once the store says it was one. A message naming no conversation most often opens one: the
   * address's conversation token is taken with the message's, in the same round trip (to Redis, in a cluster), and
   * given back unless a conversation is started.
   */
  async visitorSend(visitor: VisitorActor, req: VisitorSendRequest): Promise<SendResult> {
    const target: PostTarget = req.conversationId
      ? { conversationId: req.conversationId }
      : { conversationToken: this.limits.takeAhead('conversationPerIp', addressKey(visitor.ip)) };
    try {
      await this.limits.take('visitorMessage', visitor.visitorId);
    } catch (error) {
      if ('conversationToken' in target) await target.conversationToken.giveBack();
      const limited = error instanceof AppError && error.code === 'RATE_LIMITED';
      const stored = limited ? await this.store.conversations.findVisitorMessageByClientId(visitor.visitorId, req.clientId) : null;
      if (!stored) throw error;
      return this.delivered(stored, visitorActor(visitor.visitorId), visitor.connectionId);
    }
    const { created, ...sent } = await this.visitorPost(visitor, req, target);
    if (!created) await this.limits.refund('visitorMessage', visitor.visitorId);
    return sent;
  }

  listForVisitor(visitor: VisitorActor): Promise<ConversationDTO[]> {
    return this.store.conversations.listForVisitor(visitor.visitorId);
  }

  async visitorHistory(visitor: VisitorActor, req: HistoryRequest): Promise<HistoryPage> {
    const conversation = await this.visitorConversation(visitor, req.conversationId);
    return this.store.conversations.history(conversation.id, historyQuery(req, false));
  }

  async visitorTyping(visitor: VisitorActor, req: TypingRequest): Promise<null> {
    const conversation = await this.visitorConversation(visitor, req.conversationId);
    const site = await this.store.sites.findById(conversation.siteId);
    // The draft reaches agents only where the site turned preview on (and the widget says so).
    const preview = req.typing && site?.widgetSettings.typingPreview ? req.preview : undefined;
    this.notifier.typing(conversation, 'visitor', { conversationId: conversation.id, typing: req.typing, ...(preview !== undefined && { preview }) });
    return null;
  }

  async visitorRead(visitor: VisitorActor, req: ReadRequest): Promise<null> {
    const conversation = await this.visitorConversation(visitor, req.conversationId);
    await this.markRead(conversation, 'visitor', req.seq);
    return null;
  }

  async rate(visitor: VisitorActor, req: RateRequest): Promise<ConversationDTO> {
    const conversation = await this.visitorConversation(visitor, req.conversationId);
    const rated = await this.store.conversations.rate(conversation.id, req.rating, req.comment?.trim() || null);
    if (!rated) throw new AppError('CONFLICT', 'Only a resolved conversation can be rated');
    const summary = await this.store.conversations.summary(rated.id);
    if (summary) this.events.emit('conversation.rated', { conversation: summary, actor: visitorActor(visitor.visitorId), rating: req.rating, comment: rated.ratingComment });
    return rated;
  }

  /**
   * The visitor wrote to a resolved conversation where a widget cannot (an email reply): it goes back to the queue,
   * with a "waiting for the next available agent" line, and is routed once `send` has added the message. Answers
   * what `send` did; a conversation no longer resolved (reopened meanwhile) just gets the message.
   */
  async visitorRequeue<T>(visitor: VisitorActor, conversationId: string, send: () => Promise<T>): Promise<T> {
    const event = { type: 'unassigned', fromAgentId: null } as const;
    const requeued = await this.store.conversations.requeueResolved(conversationId, new Date(this.clock.now()), event);
    if (!requeued) return send();
    const actor = visitorActor(visitor.visitorId);
    this.delivered(requeued, actor);
    const queued = await this.store.conversations.summary(conversationId);
    if (queued) this.events.emit('conversation.queued', { conversation: queued, actor });
    const sent = await send();
    // Routed as it stands with the message `send` added, which is what agents then see of it.
    const current = (await this.store.conversations.summary(conversationId)) ?? queued;
    if (current) await this.routing.enqueue(current);
    return sent;
  }

  /** "Talk to a person": the bot holding the visitor's conversation gives it to people, the visitor's place kept. */
  async visitorHandoff(visitor: VisitorActor, conversationId: string): Promise<ConversationDTO> {
    const conversation = await this.visitorConversation(visitor, conversationId);
    if (!conversation.assignee?.bot) throw new AppError('CONFLICT', 'No bot holds this conversation');
    return (await this.routing.unassign({ agentId: conversation.assignee.id }, conversation.id, 'visitor-asked')).conversation;
  }

  // --- agents ------------------------------------------------------------------------------------

  async agentSend(agentId: string, req: AgentSendRequest): Promise<SendResult> {
    const agent = this.requireAgent(agentId);
    const message: NewMessage = {
      authorKind: req.note ? 'note' : 'agent',
      authorId: agent.id,
      body: req.body,
      clientId: req.clientId,
      attachmentIds: req.attachmentIds,
    };
    // A note can go on any conversation the agent may see; a reply only on an open one that is theirs (admins: any).
    if (req.note) await this.agentConversation(agent, req.conversationId);
    const guard: SendGuard = req.note
      ? { siteIds: agent.siteIds }
      : { siteIds: agent.siteIds, open: true, ...(agent.role !== 'admin' && { assigneeId: agent.id }) };
    const result = await this.guardedAppend(req.conversationId, message, guard, (conversation) => {
      if (!conversation || !servesSite(agent, conversation.siteId)) return notFound('Conversation');
      if (req.note) return null;
      if (conversation.status === 'resolved') return new AppError('CONVERSATION_RESOLVED', 'This conversation is resolved');
      if (conversation.assignee?.id !== agent.id && agent.role !== 'admin') return new AppError('FORBIDDEN', 'Claim the conversation before replying');
      return null;
    });
    const sent = this.delivered(result, agentActor(agent.id));
    if (result.created && !req.note && result.conversation.firstResponseAt === null) {
      // Reporting data only: the message is committed and pushed already, so a failure here must not fail the send.
      await this.store.conversations.markFirstResponse(result.conversation.id, new Date(this.clock.now())).catch(() => undefined);
    }
    return sent;
  }

  async listForAgent(agentId: string, view: ConversationView, limit = LIST_LIMIT): Promise<ConversationSummaryDTO[]> {
    const agent = this.requireAgent(agentId);
    const scope = await this.visibility.scope(agent);
    if (view === 'all' && Array.isArray(scope.whole) && scope.whole.length === 0) throw new AppError('FORBIDDEN', 'No site lets agents see all conversations');
    const base = { siteIds: agent.siteIds, limit: Math.min(limit, LIST_LIMIT) };
    const queries: Record<ConversationView, ConversationListQuery> = {
      queue: { ...base, statuses: ['queued'] },
      mine: { ...base, statuses: ['active'], assigneeId: agent.id },
      all: { ...base, siteIds: scope.whole, statuses: ['queued', 'active'] },
      resolved: { ...this.scoped(agent, scope), limit: base.limit, statuses: ['resolved'] },
    };
    return this.store.conversations.list(queries[view]);
  }

  async agentDetail(agentId: string, conversationId: string): Promise<ConversationDetail> {
    const agent = this.requireAgent(agentId);
    await this.agentConversation(agent, conversationId);
    const summary = await this.store.conversations.summary(conversationId);
    const visitor = summary && (await this.store.visitors.findById(summary.visitorId));
    if (!summary || !visitor) throw notFound('Conversation');
    const [pages, history, emails] = await Promise.all([
      this.store.visitors.pageViews(visitor.id, MAX_PAGE_VIEWS_KEPT),
      this.store.conversations.list({ ...this.scoped(agent, await this.visibility.scope(agent)), statuses: ['queued', 'active', 'resolved'], visitorId: visitor.id, limit: 20 }),
      this.store.emails.forConversation(conversationId),
    ]);
    const earlier = history.filter((c) => c.id !== conversationId);
    return { conversation: summary, visitor, pages, earlier, emails: emails.map(toEmailDTO), emailEnabled: this.emailEnabled };
  }

  async search(agentId: string, req: SearchRequest): Promise<ConversationSummaryDTO[]> {
    const agent = this.requireAgent(agentId);
    return this.store.conversations.list({
      ...this.scoped(agent, await this.visibility.scope(agent)),
      statuses: ['queued', 'active', 'resolved'],
      text: req.query.trim(),
      limit: Math.min(req.limit ?? 50, LIST_LIMIT),
    });
  }

  async setLabels(agentId: string, req: LabelsRequest): Promise<ConversationSummaryDTO> {
    const conversation = await this.agentConversation(this.requireAgent(agentId), req.conversationId);
    const labels = [...new Set(req.labels.map((l) => l.trim().toLowerCase()).filter(Boolean))].sort();
    await this.store.conversations.setLabels(conversation.id, labels);
    return (await this.announce(conversation.id))!;
  }

  async reopen(agentId: string, conversationId: string): Promise<ConversationDTO> {
    const agent = this.requireAgent(agentId);
    const conversation = await this.agentConversation(agent, conversationId);
    if (conversation.status !== 'resolved') throw new AppError('CONFLICT', 'The conversation is still open');
    return (await this.routing.reopen({ agentId }, conversation)).conversation;
  }

  /** Canned responses for one site the agent serves (plus global ones), or for all of them. */
  async canned(agentId: string, siteId: string | undefined): Promise<CannedResponseDTO[]> {
    const agent = this.requireAgent(agentId);
    if (siteId !== undefined && !servesSite(agent, siteId)) throw notFound('Site');
    return this.store.canned.forSites(siteId !== undefined ? [siteId] : agent.siteIds);
  }

  /** Which sites, queues and conversations the agent's consoles hear of live. */
  liveScope(agentId: string): Promise<LiveScope> {
    return this.visibility.live(this.requireAgent(agentId));
  }

  async agentRead(agentId: string, req: ReadRequest): Promise<null> {
    const conversation = await this.agentConversation(this.requireAgent(agentId), req.conversationId);
    await this.markRead(conversation, 'agent', req.seq);
    return null;
  }

  async agentHistory(agentId: string, req: HistoryRequest): Promise<HistoryPage> {
    const conversation = await this.agentConversation(this.requireAgent(agentId), req.conversationId);
    return this.store.conversations.history(conversation.id, historyQuery(req, true));
  }

  async agentTyping(agentId: string, req: TypingRequest): Promise<null> {
    const agent = this.requireAgent(agentId);
    const conversation = await this.agentConversation(agent, req.conversationId);
    this.notifier.typing(conversation, 'agent', { conversationId: conversation.id, typing: req.typing, name: agent.name });
    return null;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Stores and pushes the visitor's message; `created` is false when it was a retry of one already stored. */
  private async visitorPost(visitor: VisitorActor, req: VisitorSendRequest, target: PostTarget): Promise<SendResult & { created: boolean }> {
    const message: NewMessage = {
      authorKind: 'visitor',
      authorId: visitor.visitorId,
      body: req.body,
      clientId: req.clientId,
      attachmentIds: req.attachmentIds,
    };
    const actor = visitorActor(visitor.visitorId);
    const delivered = (result: AppendResult) => ({ ...this.delivered(result, actor, visitor.connectionId), created: result.created });
    if ('conversationId' in target) return delivered(await this.visitorAppend(visitor, target.conversationId, message));
    const { result, started } = await this.opening.run(visitor.visitorId, () => this.findOrStart(visitor, req, message, target.conversationToken));
    if (!started) return delivered(result);
    // Routing runs after the visitor's turn: a message sent right after this one joins the conversation as soon
    // as it exists, instead of waiting for its assignment.
    this.delivered(result, actor, visitor.connectionId, true);
    this.events.emit('conversation.queued', { conversation: started, actor });
    // Answered with the conversation as its routing turn left it: assigned already, or waiting.
    const conversation = (await this.routing.enqueue(started)) ?? result.conversation;
    return { message: result.message, conversation, created: true };
  }

  /**
   * The visitor's message without a conversation id: a retry of one stored, an append to the open conversation,
   * or the first message of a new one (`started`: its summary), which alone spends `conversationToken`.
   */
  private async findOrStart(visitor: VisitorActor, req: VisitorSendRequest, message: NewMessage, conversationToken: TakenAhead): Promise<{ result: AppendResult; started?: ConversationSummaryDTO }> {
    // A retry is recognised by clientId across the visitor's conversations.
    const found = await this.store.conversations.findRetryOrOpen(visitor.visitorId, req.clientId, !req.newConversation).catch(async (error: unknown) => {
      await conversationToken.giveBack();
      throw error;
    });
    if (found) {
      await conversationToken.giveBack();
      return { result: 'retry' in found ? found.retry : await this.visitorAppend(visitor, found.open.id, message) };
    }
    await conversationToken.spend();
    const result = await this.store.conversations.start({
      siteId: visitor.siteId,
      visitorId: visitor.visitorId,
      queuedAt: new Date(this.clock.now()),
      first: message,
    });
    return result.created ? { result, started: result.summary } : { result };
  }

  private async markRead(conversation: ConversationDTO, by: 'visitor' | 'agent', seq: number): Promise<void> {
    const updated = await this.store.conversations.markRead(conversation.id, by, seq);
    if (updated) this.notifier.read(updated, by, seq);
  }

  /** Tells both sides the conversation changed (its labels: not a domain fact); resolves with what they were told. */
  private async announce(conversationId: string): Promise<ConversationSummaryDTO | null> {
    const summary = await this.store.conversations.summary(conversationId);
    if (summary) this.notifier.conversationChanged(summary);
    return summary;
  }

  /** What a list may show the agent: whole sites, and in the others what the agent holds or held. */
  private scoped(agent: AgentRecord, scope: AgentScope): Pick<ConversationListQuery, 'siteIds' | 'heldIn'> {
    return { siteIds: scope.whole, ...(scope.held.length > 0 && { heldIn: { siteIds: scope.held, agentId: agent.id } }) };
  }

  private visitorAppend(visitor: VisitorActor, conversationId: string, message: NewMessage): Promise<AppendResult> {
    return this.guardedAppend(conversationId, message, { visitorId: visitor.visitorId, open: true }, (conversation) => {
      if (!conversation || conversation.visitorId !== visitor.visitorId) return notFound('Conversation');
      if (conversation.status === 'resolved') return new AppError('CONVERSATION_RESOLVED', 'This conversation is closed; start a new one');
      return null;
    });
  }

  /**
   * Appends under `guard`, checked in the same statement that takes the sequence number. Only when it refuses
   * is the conversation read, for `refusal` to say why in the caller's terms (null: nothing wrong any more).
   */
  private async guardedAppend(
    conversationId: string,
    message: NewMessage,
    guard: SendGuard,
    refusal: (conversation: ConversationDTO | null) => AppError | null,
  ): Promise<AppendResult> {
    const result = await this.store.conversations.append(conversationId, message, guard);
    if (result) return result;
    throw refusal(await this.store.conversations.findById(conversationId)) ?? new AppError('CONFLICT', 'The conversation changed meanwhile; try again');
  }

  /**
   * A new message is a domain fact: `message.created`, which the socket notifier pushes. A retry that found the
   * message stored is no new fact, yet it is pushed again straight to the notifier, outside the event stream: the
   * first attempt may have committed without its push going out (clients drop what they have by id), while
   * subscribers that send emails or webhooks must hear of each message once.
   */
  private delivered(result: AppendResult, actor: EventActor, sentFrom?: string, opened?: true): SendResult {
    const { message, conversation } = result;
    if (result.created) this.events.emit('message.created', { message, conversation, actor, ...(sentFrom !== undefined && { sentFrom }), ...(opened && { opened }) });
    else this.notifier.messageCreated(message, conversation, { sentFrom });
    return { message, conversation };
  }

  /** Someone else's conversation answers NOT_FOUND, so ids cannot be probed. */
  private async visitorConversation(visitor: VisitorActor, conversationId: string): Promise<ConversationDTO> {
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation || conversation.visitorId !== visitor.visitorId) throw notFound('Conversation');
    return conversation;
  }

  /** A conversation the agent may not see answers NOT_FOUND, like one that does not exist. */
  private async agentConversation(agent: AgentRecord, conversationId: string): Promise<ConversationDTO> {
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation || !(await this.visibility.canSee(agent, conversation))) throw notFound('Conversation');
    return conversation;
  }

  private requireAgent(agentId: string): AgentRecord {
    const agent = this.routing.agent(agentId);
    if (!agent || !agent.active) throw new AppError('FORBIDDEN', 'Agent account is not active');
    return agent;
  }
}

function historyQuery(req: HistoryRequest, includeNotes: boolean) {
  return {
    afterSeq: req.afterSeq,
    beforeSeq: req.beforeSeq,
    limit: Math.min(req.limit ?? 50, HISTORY_PAGE_MAX),
    includeNotes,
  };
}
