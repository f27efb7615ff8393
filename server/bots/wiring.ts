/** Puts the bot parts together for the composition: the admin use cases, the kinds with rule and webhook built in, the runner. */
import type { ApiKeyService } from '../app/api-keys.ts';
import { BotService } from '../app/bots.ts';
import type { ConversationService } from '../app/conversations.ts';
import type { DomainEvents } from '../app/events.ts';
import type { Logger } from '../app/logger.ts';
import type { Notifier, Store } from '../app/ports.ts';
import type { Routing } from '../app/routing-port.ts';
import type { VisitorService } from '../app/visitors.ts';
import type { RuleBotConfig, WebhookBotConfig } from '../contract/bots.ts';
import { isOpen } from '../domain/business-hours.ts';
import type { Clock } from '../domain/clock.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import type { JobWorker } from '../jobs/worker.ts';
import { createOpenAiResponder, type OpenAiBotConfig, type OpenAiResponderDeps } from './ai/responder.ts';
import type { ArticleSearch } from './ports.ts';
import { BotKinds, type BotResponderFactory } from './registry.ts';
import { createRuleBot, type RuleBotDeps } from './rule-bot.ts';
import { BotRunner } from './runner.ts';
import { createWebhookBot } from './webhook-bot.ts';

export interface BotWiring {
  store: Store;
  routing: Routing;
  conversations: ConversationService;
  visitors: Pick<VisitorService, 'update'>;
  apiKeys: ApiKeyService;
  notifier: Notifier;
  events: DomainEvents;
  jobs: { outbox: JobOutbox; worker: JobWorker };
  clock: Clock;
  log: Logger;
  /** WEBHOOK_ALLOW_PRIVATE: webhook bots may be on private addresses too. */
  allowPrivate: boolean;
  /** The knowledge base the AI bot answers from. */
  articleSearch: ArticleSearch;
}

export interface Bots {
  service: BotService;
  /** Every bot kind this server runs (rule, webhook, openai). */
  kinds: BotKinds;
  runner: BotRunner;
}

/** The `openai` kind: the bot's settings and timeout, answering from `articleSearch` (the server's, or the CLI's evaluation). */
export function openAiKind(articleSearch: ArticleSearch, deps: OpenAiResponderDeps): BotResponderFactory {
  return (bot) => createOpenAiResponder({ ...(bot.config as OpenAiBotConfig), timeoutMs: bot.timeoutMs }, articleSearch, deps);
}

export function createBots(w: BotWiring): Bots {
  const now = () => w.clock.now();
  const ruleDeps: RuleBotDeps = {
    now,
    async cannedBody(siteId, cannedId) {
      const canned = await w.store.canned.findById(cannedId);
      return canned && (canned.siteId === null || canned.siteId === siteId) ? canned.body : null;
    },
    async siteOpen(siteId) {
      const site = await w.store.sites.findById(siteId);
      return !site || isOpen(site.widgetSettings.businessHours, now());
    },
    async visitorEmail(conversationId) {
      const conversation = await w.store.conversations.findById(conversationId);
      return conversation && ((await w.store.visitors.findById(conversation.visitorId))?.email ?? null);
    },
    async saveVisitorEmail(conversationId, email) {
      const conversation = await w.store.conversations.findById(conversationId);
      if (conversation) await w.visitors.update({ visitorId: conversation.visitorId, siteId: conversation.siteId }, { email });
    },
  };
  const kinds = new BotKinds()
    .register('rule', (bot) => createRuleBot(bot.config as RuleBotConfig, ruleDeps))
    .register('webhook', (bot) => createWebhookBot(bot.config as WebhookBotConfig, { allowPrivate: w.allowPrivate, now }, bot.timeoutMs))
    .register('openai', openAiKind(w.articleSearch, { clock: w.clock, log: w.log }));
  const runner = new BotRunner({ store: w.store, routing: w.routing, conversations: w.conversations, notifier: w.notifier, outbox: w.jobs.outbox, kinds, clock: w.clock, log: w.log });
  runner.subscribe(w.events);
  runner.handle(w.jobs.worker);
  return { service: new BotService(w.store, (agentId) => w.routing.refreshAgent(agentId), w.apiKeys), kinds, runner };
}
