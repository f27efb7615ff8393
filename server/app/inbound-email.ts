/**
 * Email replies into conversations: a reply from the visitor's known address becomes a visitor message (through the
 * same use case as a widget send, so it is stored with its seq, pushed, reopens and routes the same way); a reply
 * from another address is held until an agent accepts or discards it. Exactly once per Message-ID per conversation.
 */
import { MAX_ATTACHMENTS_PER_MESSAGE, MAX_MESSAGE_LENGTH } from '../contract/events.ts';
import type { InboundEmailDTO } from '../contract/inbound-email.ts';
import type { Clock } from '../domain/clock.ts';
import { InboundRefusal } from '../email/inbound/refusal.ts';
import { matchConversation } from '../email/inbound/match-conversation.ts';
import { parseEmail, type ParsedReply } from '../email/inbound/parse-email.ts';
import type { EmailTokens } from '../email/tokens.ts';
import type { AttachmentService } from './attachments.ts';
import type { ConversationService, VisitorActor } from './conversations.ts';
import { AppError, notFound } from './errors.ts';
import type { InboundEmailRecord } from './inbound-email-ports.ts';
import type { Logger } from './logger.ts';
import type { Notifier, Store } from './ports.ts';
import type { Routing } from './routing-port.ts';
import type { Visibility } from './visibility.ts';

export interface InboundOutcome {
  inboundEmailId: string;
  conversationId: string;
  status: InboundEmailDTO['status'];
  /** A redelivery of a reply already recorded: nothing new was stored. */
  duplicate: boolean;
}

export interface InboundEmailDeps {
  store: Store;
  conversations: ConversationService;
  attachments: AttachmentService;
  routing: Routing;
  visibility: Visibility;
  notifier: Notifier;
  tokens: EmailTokens;
  replyDomain: string;
  clock: Clock;
  log: Logger;
}

const HELD_REASON = "the sender is not the visitor's known address";

export class InboundEmailService {
  constructor(private readonly deps: InboundEmailDeps) {}

  /** Throws InboundRefusal for a message that cannot go into a conversation; AppError RATE_LIMITED/UNAVAILABLE: try later. */
  async receive(raw: Buffer, envelopeRecipients: string[] = []): Promise<InboundOutcome> {
    const { store, log } = this.deps;
    try {
      const reply = await parseEmail(raw, envelopeRecipients);
      const conversationId = matchConversation(reply, this.deps.tokens, this.deps.replyDomain);
      const conversation = await store.conversations.findById(conversationId);
      if (!conversation) throw new InboundRefusal('bad_token', 'The conversation this reply names does not exist');
      if (!reply.text && reply.attachments.length === 0) throw new InboundRefusal('empty', 'The reply is empty once quoted text and signature are removed');
      const visitor = await store.visitors.findById(conversation.visitorId);
      const fromVisitor = visitor?.email?.toLowerCase() === reply.sender;
      const { record, created } = await store.inboundEmails.record({
        conversationId,
        messageId: reply.messageId,
        sender: reply.sender,
        status: fromVisitor ? 'appended' : 'held',
        reason: fromVisitor ? null : HELD_REASON,
        body: reply.text,
        raw: fromVisitor ? null : raw,
        createdAt: new Date(this.deps.clock.now()),
      });
      // An append cut short (a crash, a refused attachment quota) is finished by the next delivery.
      if (record.status === 'appended' && !record.resultMessageId) await this.append(record, reply);
      if (record.status === 'held' && created) await this.announce(conversationId);
      log.info({ conversationId, inboundEmailId: record.id, status: record.status, duplicate: !created }, 'email reply received');
      return { inboundEmailId: record.id, conversationId, status: record.status, duplicate: !created };
    } catch (error) {
      if (error instanceof InboundRefusal) log.warn({ kind: error.kind, reason: error.message }, 'email reply refused');
      throw error;
    }
  }

  async held(agentId: string, conversationId: string): Promise<InboundEmailDTO[]> {
    await this.agentConversation(agentId, conversationId);
    return (await this.deps.store.inboundEmails.held(conversationId)).map(toDTO);
  }

  /** Appends a held reply as the visitor's message, with its attachments. */
  async accept(agentId: string, inboundEmailId: string): Promise<InboundEmailDTO> {
    const record = await this.decidable(agentId, inboundEmailId);
    const raw = await this.deps.store.inboundEmails.raw(record.id);
    if (!raw || !(await this.deps.store.inboundEmails.decide(record.id, 'appended', agentId, new Date(this.deps.clock.now())))) {
      throw new AppError('CONFLICT', 'This reply was accepted or discarded already');
    }
    await this.append(record, await parseEmail(raw));
    await this.announce(record.conversationId);
    return toDTO((await this.deps.store.inboundEmails.findById(record.id))!);
  }

  async discard(agentId: string, inboundEmailId: string): Promise<InboundEmailDTO> {
    const record = await this.decidable(agentId, inboundEmailId);
    if (!(await this.deps.store.inboundEmails.decide(record.id, 'discarded', agentId, new Date(this.deps.clock.now())))) {
      throw new AppError('CONFLICT', 'This reply was accepted or discarded already');
    }
    await this.announce(record.conversationId);
    return toDTO((await this.deps.store.inboundEmails.findById(record.id))!);
  }

  /**
   * Sends the reply as the visitor, with a clientId fixed by its row, so a second attempt answers the stored
   * message. A resolved conversation goes back to the queue with it and is routed like a new one.
   */
  private async append(record: InboundEmailRecord, reply: ParsedReply): Promise<void> {
    const conversation = await this.deps.store.conversations.findById(record.conversationId);
    if (!conversation) throw notFound('Conversation');
    const actor: VisitorActor = { visitorId: conversation.visitorId, siteId: conversation.siteId, ip: `email:${reply.sender}` };
    const attachmentIds = await this.storeAttachments(actor, conversation.id, reply);
    const body = reply.text.length > MAX_MESSAGE_LENGTH ? `${reply.text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : reply.text;
    const send = () => this.deps.conversations.visitorSend(actor, { clientId: `email:${record.id}`, body, attachmentIds, conversationId: conversation.id });
    let sent;
    try {
      sent = conversation.status === 'resolved' ? await this.deps.conversations.visitorRequeue(actor, conversation.id, send) : await send();
    } catch (error) {
      // Resolved between reading it and sending: requeue it now.
      if (!(error instanceof AppError && error.code === 'CONVERSATION_RESOLVED')) throw error;
      sent = await this.deps.conversations.visitorRequeue(actor, conversation.id, send);
    }
    await this.deps.store.inboundEmails.setResult(record.id, sent.message.id);
  }

  /** Through the visitor upload checks (size, sniffed type, quotas); a file they refuse is left out and logged. */
  private async storeAttachments(actor: VisitorActor, conversationId: string, reply: ParsedReply): Promise<string[]> {
    const ids: string[] = [];
    for (const file of reply.attachments.slice(0, MAX_ATTACHMENTS_PER_MESSAGE)) {
      try {
        const stored = await this.deps.attachments.upload(
          { kind: 'visitor', visitorId: actor.visitorId, siteId: actor.siteId, address: actor.ip },
          { fileName: file.fileName, data: file.data, conversationId },
        );
        ids.push(stored.id);
      } catch (error) {
        if (!(error instanceof AppError) || error.code === 'RATE_LIMITED' || error.code === 'UNAVAILABLE') throw error;
        this.deps.log.warn({ conversationId, file: file.fileName, reason: error.message }, 'email attachment left out');
      }
    }
    if (reply.attachments.length > MAX_ATTACHMENTS_PER_MESSAGE) {
      this.deps.log.warn({ conversationId, count: reply.attachments.length }, `email attachments beyond ${MAX_ATTACHMENTS_PER_MESSAGE} left out`);
    }
    return ids;
  }

  private async decidable(agentId: string, inboundEmailId: string): Promise<InboundEmailRecord> {
    const record = await this.deps.store.inboundEmails.findById(inboundEmailId);
    if (!record) throw notFound('Email reply');
    await this.agentConversation(agentId, record.conversationId);
    if (record.status !== 'held') throw new AppError('CONFLICT', 'This reply was accepted or discarded already');
    return record;
  }

  /** A conversation the agent may not see answers NOT_FOUND, like one that does not exist. */
  private async agentConversation(agentId: string, conversationId: string) {
    const agent = this.deps.routing.agent(agentId);
    if (!agent || !agent.active) throw new AppError('FORBIDDEN', 'Agent account is not active');
    const conversation = await this.deps.store.conversations.findById(conversationId);
    if (!conversation || !(await this.deps.visibility.canSee(agent, conversation))) throw notFound('Conversation');
    return conversation;
  }

  /** The console refreshes the conversation's held replies when it hears it changed. */
  private async announce(conversationId: string): Promise<void> {
    const summary = await this.deps.store.conversations.summary(conversationId);
    if (summary) this.deps.notifier.conversationChanged(summary);
  }
}

function toDTO(record: InboundEmailRecord): InboundEmailDTO {
  const { id, conversationId, sender, status, reason, body, createdAt } = record;
  return { id, conversationId, sender, status, reason, body, createdAt: createdAt.toISOString() };
}
