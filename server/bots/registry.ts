/**
 * Bot kinds: each kind makes a BotResponder from a bot's stored settings. rule and webhook are built in; the
 * composition registers more (the AI bot's `openai`) with register(), so the runner never names a kind.
 */
import type { BotRecord } from '../app/bot-store.ts';
import type { BotKind } from '../contract/bots.ts';
import type { BotResponder } from './ports.ts';

export type BotResponderFactory = (bot: BotRecord) => BotResponder;

export class BotKinds {
  private readonly factories = new Map<BotKind, BotResponderFactory>();

  register(kind: BotKind, factory: BotResponderFactory): this {
    this.factories.set(kind, factory);
    return this;
  }

  /** Null for a kind this server has no responder for: the runner hands off at once. */
  responder(bot: BotRecord): BotResponder | null {
    return this.factories.get(bot.kind)?.(bot) ?? null;
  }
}
