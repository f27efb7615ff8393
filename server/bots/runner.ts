/**
 * The bot runner. A visitor message in a conversation a bot holds (or a conversation just routed to a bot)
 * becomes a `bot.turn` job, one per message. The job shows the bot this conversation only, calls its responder
 * within the bot's timeout (partial text shows as the bot typing), and sends the reply through the agent-send use
 * case as the bot, so the same guard that refuses a former assignee refuses a bot that no longer holds the
 * conversation. A handoff, an error or the timeout gives the conversation to people. Each answer is recorded.
 */
import type { BotRecord, BotStore, BotTurnOutcome } from '../app/bot-store.ts';
import type { ConversationService } from '../app/conversations.ts';
import { AppError } from '../app/errors.ts';
import type { DomainEvents } from '../app/events.ts';
import type { Logger } from '../app/logger.ts';
import type { Notifier, Store } from '../app/ports.ts';
import type { Routing } from '../app/routing-port.ts';
import { realTimers, type Timers } from '../app/timers.ts';
import type { ConversationDTO, MessageDTO } from '../contract/dto.ts';
import type { Clock } from '../domain/clock.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { JobWorker } from '../jobs/worker.ts';
import { answerWithin } from './answer.ts';
import type { BotTurnResult, HandoffReason } from './ports.ts';
import type { BotKinds } from './registry.ts';
import { replyBody, TRANSCRIPT_LIMIT, turnInput } from './turn-input.ts';

interface BotTurnJob {
  conversationId: string;
  botAgentId: string;
}

declare module '../jobs/types.ts' {
  interface JobMap {
    'bot.turn': BotTurnJob;
    /** A webhook bot's answer is due by now (it answers through the API): if none came, a person takes over. */
    'bot.deadline': BotTurnJob & { messageId: string };
    /** A bot changed outside the server (the CLI): routing re-reads its agent row. */
    'bot.refresh': { agentId: string };
  }
}

export interface BotRunnerDeps {
  store: Pick<Store, 'conversations' | 'sites' | 'visitors'> & { bots: BotStore };
  routing: Routing;
  conversations: Pick<ConversationService, 'agentSend'>;
  notifier: Pick<Notifier, 'typing'>;
  outbox: JobOutbox;
  kinds: BotKinds;
  clock: Clock;
  log: Logger;
  timers?: Timers;
}

/** The bot's typing indicator is refreshed at most this often while partial text streams in. */
const TYPING_EVERY_MS = 1000;

export class BotRunner {
  private readonly timers: Timers;

  constructor(private readonly deps: BotRunnerDeps) {
    this.timers = deps.timers ?? realTimers;
  }

  subscribe(events: DomainEvents): void {
    const isBot = (agentId: string | undefined) => agentId !== undefined && this.deps.routing.agent(agentId)?.role === 'bot';
    events.on('message.created', ({ message, conversation }) => {
      const holder = conversation.assignee?.id;
      if (message.authorKind !== 'visitor' || !isBot(holder)) return;
      return this.enqueueTurn(`bot.turn:${message.id}`, conversation.id, holder!);
    });
    // The first message comes before routing gives the conversation to the bot.
    events.on('conversation.assigned', ({ conversation, agentId }) => {
      if (isBot(agentId)) return this.enqueueTurn(`bot.turn:${conversation.id}:${conversation.lastSeq}`, conversation.id, agentId);
    });
  }

  handle(worker: JobWorker): void {
    // Bot timeouts are at most 60 s (validation/bots.ts); the run's own limit leaves room for the send after it.
    worker.handle('bot.turn', (job) => this.turn(job), { maxAttempts: 3, baseDelayMs: 1000, timeoutMs: 90_000 });
    worker.handle('bot.deadline', (job) => this.deadline(job), { maxAttempts: 5, baseDelayMs: 1000 });
    worker.handle('bot.refresh', async ({ agentId }) => void (await this.deps.routing.refreshAgent(agentId)), { maxAttempts: 5, baseDelayMs: 1000 });
  }

  /** Gives a conversation the bot holds to people (the visitor asked, or the bot's API call). */
  handoff(botAgentId: string, conversationId: string, reason: HandoffReason): Promise<unknown> {
    return this.deps.routing.unassign({ agentId: botAgentId }, conversationId, reason);
  }

  private async enqueueTurn(key: string, conversationId: string, botAgentId: string): Promise<void> {
    await this.deps.outbox.enqueue('bot.turn', key, { conversationId, botAgentId });
  }

  private async turn({ conversationId, botAgentId }: BotTurnJob): Promise<void> {
    const held = await this.heldBy(conversationId, botAgentId);
    if (!held) return;
    const { bot, conversation, messages } = held;
    const latest = messages.findLast((m) => m.authorKind === 'visitor');
    // Answered already (a retried job, or a webhook bot that answered through the API): nothing to do.
    if (!latest || answeredAfter(messages, latest, botAgentId) || (await this.deps.store.bots.hasTurn(latest.id))) return;
    const [site, visitor] = await Promise.all([this.deps.store.sites.findById(conversation.siteId), this.deps.store.visitors.findById(conversation.visitorId)]);
    const input = site && turnInput(site, conversation, messages, botAgentId, visitor?.locale ?? null);
    if (!input) return;
    const responder = this.deps.kinds.responder(bot);
    const now = () => this.deps.clock.now();
    let typingAt = -Infinity;
    const onPartial = () => {
      if (now() - typingAt < TYPING_EVERY_MS) return;
      typingAt = now();
      this.deps.notifier.typing(conversation, 'agent', { conversationId, typing: true, name: bot.name });
    };
    const result: BotTurnResult = responder
      ? await answerWithin(responder, input, bot.timeoutMs, onPartial, this.timers, now)
      : { kind: 'handoff', reason: 'error', detail: `no responder for kind ${bot.kind}`, latencyMs: 0 };
    if (typingAt > -Infinity) this.deps.notifier.typing(conversation, 'agent', { conversationId, typing: false, name: bot.name });

    let outcome: BotTurnOutcome = result.kind;
    if (result.kind === 'reply') {
      const citations = result.citations.map((c) => `- [${c.title}](${c.url})`).join('\n');
      const sent = await this.send(botAgentId, conversationId, latest, replyBody(citations ? `${result.text}\n\n${citations}` : result.text));
      if (!sent) outcome = 'none';
    } else if (result.kind === 'handoff') {
      if (result.reason === 'error' || result.reason === 'timeout') this.deps.log.warn({ botId: bot.id, conversationId, detail: result.detail }, 'bot failed; handing off');
      await this.handoffQuietly(botAgentId, conversationId, result.reason);
    } else if (bot.kind === 'webhook') {
      await this.deps.outbox.enqueue('bot.deadline', `bot.deadline:${latest.id}`, { conversationId, botAgentId, messageId: latest.id }, { delayMs: bot.timeoutMs });
    }
    const usage = result.kind === 'none' ? undefined : result.usage;
    await this.deps.store.bots.recordTurn({
      botId: bot.id,
      conversationId,
      messageId: latest.id,
      outcome,
      reason: result.kind === 'handoff' ? result.reason : null,
      latencyMs: result.kind === 'none' ? 0 : Math.max(0, Math.round(result.latencyMs)),
      promptTokens: usage?.promptTokens ?? null,
      completionTokens: usage?.completionTokens ?? null,
    });
  }

  private async deadline({ conversationId, botAgentId, messageId }: BotTurnJob & { messageId: string }): Promise<void> {
    const held = await this.heldBy(conversationId, botAgentId);
    if (!held) return;
    const asked = held.messages.find((m) => m.id === messageId);
    if (!asked || answeredAfter(held.messages, asked, botAgentId)) return;
    await this.handoffQuietly(botAgentId, conversationId, 'timeout');
    await this.deps.store.bots.recordTurn({
      botId: held.bot.id, conversationId, messageId, outcome: 'handoff', reason: 'timeout', latencyMs: held.bot.timeoutMs, promptTokens: null, completionTokens: null,
    });
  }

  /** The bot, the conversation and its latest messages, provided the bot is enabled and still holds it. */
  private async heldBy(conversationId: string, botAgentId: string): Promise<{ bot: BotRecord; conversation: ConversationDTO; messages: MessageDTO[] } | null> {
    const [bot, conversation] = await Promise.all([this.deps.store.bots.findByAgentId(botAgentId), this.deps.store.conversations.findById(conversationId)]);
    if (!bot?.enabled || !conversation || conversation.status === 'resolved' || conversation.assignee?.id !== botAgentId) return null;
    const page = await this.deps.store.conversations.history(conversationId, { limit: TRANSCRIPT_LIMIT, includeNotes: false });
    return { bot, conversation, messages: page.messages };
  }

  /** A send the guard refuses (handed off or resolved meanwhile) is no failure: the conversation moved on. */
  private async send(botAgentId: string, conversationId: string, answering: MessageDTO, body: string): Promise<boolean> {
    if (!body) return false;
    try {
      await this.deps.conversations.agentSend(botAgentId, { conversationId, clientId: `bot-${answering.id}`, body });
      return true;
    } catch (error) {
      if (error instanceof AppError && ['FORBIDDEN', 'CONVERSATION_RESOLVED', 'NOT_FOUND'].includes(error.code)) return false;
      throw error;
    }
  }

  private async handoffQuietly(botAgentId: string, conversationId: string, reason: HandoffReason): Promise<void> {
    try {
      await this.handoff(botAgentId, conversationId, reason);
    } catch (error) {
      // Someone took it over or resolved it meanwhile: nothing left to hand off.
      if (!(error instanceof AppError) || error.code === 'UNAVAILABLE') throw error;
    }
  }
}

/** The bot wrote to the visitor after this message (system lines about the bot do not count). */
const answeredAfter = (messages: readonly MessageDTO[], asked: MessageDTO, botAgentId: string) =>
  messages.some((m) => m.seq > asked.seq && m.authorKind === 'agent' && m.authorId === botAgentId);
