/**
 * Conversation use cases for visitors and agents: sending (idempotent by clientId), reading history and
 * lists, typing. Routing actions (claim, transfer, unassign, resolve) go through RoutingService.
 */
import type { ConversationDTO, ConversationSummaryDTO, HistoryPage } from '../contract/dto.ts';
import type {
  AgentSendRequest,
  ConversationDetail,
  ConversationView,
  HistoryRequest,
  SendResult,
  TypingRequest,
  VisitorSendRequest,
} from '../contract/events.ts';
import { HISTORY_PAGE_MAX } from '../contract/events.ts';
import type { Clock } from '../domain/clock.ts';
import { AppError, notFound } from './errors.ts';
import { servesSite } from './access.ts';
import type { AgentRecord, AppendResult, ConversationListQuery, Notifier, Store } from './ports.ts';
import type { RoutingService } from './routing.ts';

export interface VisitorActor {
  visitorId: string;
  siteId: string;
}

const LIST_LIMIT = 200;

export class ConversationService {
  constructor(
    private readonly store: Store,
    private readonly routing: RoutingService,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
  ) {}

  // --- visitors ----------------------------------------------------------------------------------

  async visitorSend(visitor: VisitorActor, req: VisitorSendRequest): Promise<SendResult> {
    const message = { authorKind: 'visitor' as const, authorId: visitor.visitorId, body: req.body, clientId: req.clientId };
    if (req.conversationId) {
      const conversation = await this.visitorConversation(visitor, req.conversationId);
      if (conversation.status === 'resolved') {
        throw new AppError('CONVERSATION_RESOLVED', 'This conversation is closed; start a new one');
      }
      return this.delivered(await this.store.conversations.append(conversation.id, message));
    }
    // Without a conversation id, a retry is recognised by clientId across the visitor's conversations.
    const retry = await this.store.conversations.findVisitorMessageByClientId(visitor.visitorId, req.clientId);
    if (retry) return this.delivered(retry);
    const open = await this.store.conversations.findOpenForVisitor(visitor.visitorId);
    if (open) return this.delivered(await this.store.conversations.append(open.id, message));
    const started = await this.store.conversations.start({
      siteId: visitor.siteId,
      visitorId: visitor.visitorId,
      queuedAt: new Date(this.clock.now()),
      first: message,
    });
    this.delivered(started);
    await this.routing.enqueue(started.conversation);
    // Routing may have assigned it already: answer with the conversation as it is now.
    const conversation = (await this.store.conversations.findById(started.conversation.id)) ?? started.conversation;
    return { message: started.message, conversation };
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
    this.notifier.typing(conversation, 'visitor', { conversationId: conversation.id, typing: req.typing });
    return null;
  }

  // --- agents ------------------------------------------------------------------------------------

  async agentSend(agentId: string, req: AgentSendRequest): Promise<SendResult> {
    const agent = this.requireAgent(agentId);
    const conversation = await this.agentConversation(agent, req.conversationId);
    if (!req.note) {
      if (conversation.status === 'resolved') throw new AppError('CONVERSATION_RESOLVED', 'This conversation is resolved');
      if (conversation.assignee?.id !== agent.id && agent.role !== 'admin') {
        throw new AppError('FORBIDDEN', 'Claim the conversation before replying');
      }
    }
    const result = await this.store.conversations.append(conversation.id, {
      authorKind: req.note ? 'note' : 'agent',
      authorId: agent.id,
      body: req.body,
      clientId: req.clientId,
    });
    if (result.created && !req.note && conversation.firstResponseAt === null) {
      await this.store.conversations.markFirstResponse(conversation.id, new Date(this.clock.now()));
    }
    return this.delivered(result);
  }

  async listForAgent(agentId: string, view: ConversationView, limit = LIST_LIMIT): Promise<ConversationSummaryDTO[]> {
    const agent = this.requireAgent(agentId);
    const base = { siteIds: agent.siteIds, limit: Math.min(limit, LIST_LIMIT) };
    const queries: Record<ConversationView, ConversationListQuery> = {
      queue: { ...base, statuses: ['queued'] },
      mine: { ...base, statuses: ['active'], assigneeId: agent.id },
      all: { ...base, statuses: ['queued', 'active'] },
      resolved: { ...base, statuses: ['resolved'] },
    };
    return this.store.conversations.list(queries[view]);
  }

  async agentDetail(agentId: string, conversationId: string): Promise<ConversationDetail> {
    const agent = this.requireAgent(agentId);
    await this.agentConversation(agent, conversationId);
    const summary = await this.store.conversations.summary(conversationId);
    const visitor = summary && (await this.store.visitors.findById(summary.visitorId));
    if (!summary || !visitor) throw notFound('Conversation');
    return { conversation: summary, visitor };
  }

  async agentHistory(agentId: string, req: HistoryRequest): Promise<HistoryPage> {
    const conversation = await this.agentConversation(this.requireAgent(agentId), req.conversationId);
    return this.store.conversations.history(conversation.id, historyQuery(req, true));
  }

  async agentTyping(agentId: string, req: TypingRequest): Promise<null> {
    const conversation = await this.agentConversation(this.requireAgent(agentId), req.conversationId);
    this.notifier.typing(conversation, 'agent', { conversationId: conversation.id, typing: req.typing });
    return null;
  }

  // --- internals ---------------------------------------------------------------------------------

  private delivered(result: AppendResult): SendResult {
    if (result.created) this.notifier.messageCreated(result.message, result.conversation);
    return { message: result.message, conversation: result.conversation };
  }

  /** Someone else's conversation answers NOT_FOUND, so ids cannot be probed. */
  private async visitorConversation(visitor: VisitorActor, conversationId: string): Promise<ConversationDTO> {
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation || conversation.visitorId !== visitor.visitorId) throw notFound('Conversation');
    return conversation;
  }

  private async agentConversation(agent: AgentRecord, conversationId: string): Promise<ConversationDTO> {
    const conversation = await this.store.conversations.findById(conversationId);
    if (!conversation || !servesSite(agent, conversation.siteId)) throw notFound('Conversation');
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
