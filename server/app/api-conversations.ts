/**
 * The REST API's conversation use cases. Each checks the key's scope and site, then hands over to the use case
 * the console's socket calls, as the key's agent: who may see, send, claim or resolve is decided there only.
 */
import type { ConversationDTO, ConversationStatus, ConversationSummaryDTO, HistoryPage } from '../contract/dto.ts';
import type { ConversationDetail, SendResult } from '../contract/events.ts';
import type { ConversationListPage } from '../contract/api-v1.ts';
import { actingAgent, requireScope, type ApiPrincipal } from './api-keys.ts';
import type { ConversationService } from './conversations.ts';
import type { CursorCodec } from './cursor.ts';
import { AppError, notFound } from './errors.ts';
import type { Store } from './ports.ts';
import type { Routing } from './routing-port.ts';
import type { Visibility } from './visibility.ts';

export interface ApiConversationQuery {
  siteId?: string;
  status?: ConversationStatus;
  assigneeId?: string;
  label?: string;
  updatedSince?: Date;
  cursor?: string;
  limit: number;
}

export interface ApiMessage {
  clientId: string;
  body: string;
  attachmentIds?: string[];
}

/** The sites a key reaches within `sites`: all of them, or its one site if among them. */
function narrow(sites: string[] | 'all', keySite: string | null): string[] | 'all' {
  if (keySite === null) return sites;
  return sites === 'all' || sites.includes(keySite) ? [keySite] : [];
}

export class ApiConversations {
  constructor(
    private readonly store: Store,
    private readonly conversations: ConversationService,
    private readonly routing: Routing,
    private readonly visibility: Visibility,
    private readonly cursors: CursorCodec,
  ) {}

  async list(key: ApiPrincipal, q: ApiConversationQuery): Promise<ConversationListPage> {
    requireScope(key, 'conversations:read');
    const agent = await actingAgent(this.routing, key);
    const scope = await this.visibility.scope(agent);
    const only = q.siteId ?? key.siteId;
    if (q.siteId !== undefined && key.siteId !== null && q.siteId !== key.siteId) throw notFound('Site');
    const held = narrow(scope.held, only);
    const page = await this.store.conversations.pageByUpdate(
      {
        siteIds: narrow(scope.whole, only),
        ...(held !== 'all' && held.length > 0 && { heldIn: { siteIds: held, agentId: agent.id } }),
        statuses: q.status ? [q.status] : ['queued', 'active', 'resolved'],
        // A bot sees only the conversations it holds.
        ...((q.assigneeId !== undefined || agent.role === 'bot') && { assigneeId: agent.role === 'bot' ? agent.id : q.assigneeId }),
        ...(q.label !== undefined && { label: q.label.trim().toLowerCase() }),
        limit: q.limit,
      },
      q.cursor !== undefined ? this.cursors.decode(q.cursor) : q.updatedSince && { updatedAt: q.updatedSince },
    );
    return { items: page.items, nextCursor: page.last && this.cursors.encode(page.last) };
  }

  async get(key: ApiPrincipal, id: string): Promise<ConversationDetail> {
    requireScope(key, 'conversations:read');
    await this.reach(key, id);
    return this.conversations.agentDetail(key.agentId, id);
  }

  async messages(key: ApiPrincipal, id: string, page: { afterSeq?: number; limit?: number }): Promise<HistoryPage> {
    requireScope(key, 'conversations:read');
    await this.reach(key, id);
    return this.conversations.agentHistory(key.agentId, { conversationId: id, ...page });
  }

  async send(key: ApiPrincipal, id: string, message: ApiMessage, note: boolean): Promise<SendResult> {
    requireScope(key, 'conversations:write');
    await this.reach(key, id);
    return this.conversations.agentSend(key.agentId, { conversationId: id, ...message, note });
  }

  async claim(key: ApiPrincipal, id: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    return this.routing.claim({ agentId: key.agentId }, id);
  }

  /** A queued conversation to a named agent, by routing's rules: capacity, availability and the agent's sites. */
  async assign(key: ApiPrincipal, id: string, toAgentId: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    // An agent routing has not met yet (created by the CLI, never signed in) is read first, as actingAgent does.
    if (!this.routing.agent(toAgentId)) await this.routing.refreshAgent(toAgentId);
    return this.routing.assign({ agentId: key.agentId }, id, toAgentId);
  }

  async transfer(key: ApiPrincipal, id: string, toAgentId: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    return (await this.routing.transfer({ agentId: key.agentId }, id, toAgentId)).conversation;
  }

  async unassign(key: ApiPrincipal, id: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    return (await this.routing.unassign({ agentId: key.agentId }, id)).conversation;
  }

  /** A bot's key gives the conversation it holds to people (a webhook bot that cannot answer). */
  async handoff(key: ApiPrincipal, id: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    if (this.routing.agent(key.agentId)?.role !== 'bot') throw new AppError('FORBIDDEN', "Only a bot's key hands a conversation off; agents unassign");
    return (await this.routing.unassign({ agentId: key.agentId }, id, 'bot-asked')).conversation;
  }

  async resolve(key: ApiPrincipal, id: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    return (await this.routing.resolve({ agentId: key.agentId }, id)).conversation;
  }

  async reopen(key: ApiPrincipal, id: string): Promise<ConversationDTO> {
    await this.writable(key, id);
    return this.conversations.reopen(key.agentId, id);
  }

  async setLabels(key: ApiPrincipal, id: string, labels: string[]): Promise<ConversationSummaryDTO> {
    await this.writable(key, id);
    return this.conversations.setLabels(key.agentId, { conversationId: id, labels });
  }

  private async writable(key: ApiPrincipal, id: string): Promise<void> {
    requireScope(key, 'conversations:write');
    await this.reach(key, id);
  }

  /**
   * Loads the key's agent into routing if need be (the use cases below look agents up there), and answers
   * another site's conversation with NOT_FOUND, like one that does not exist: ids cannot be probed.
   */
  private async reach(key: ApiPrincipal, id: string): Promise<void> {
    const agent = await actingAgent(this.routing, key);
    if (key.siteId === null && agent.role !== 'bot') return;
    const conversation = await this.store.conversations.findById(id);
    if (!conversation || (key.siteId !== null && conversation.siteId !== key.siteId)) throw notFound('Conversation');
    // A bot sees only the conversations it holds: one handed off or never its own is not found.
    if (agent.role === 'bot' && conversation.assignee?.id !== agent.id) throw notFound('Conversation');
  }
}
