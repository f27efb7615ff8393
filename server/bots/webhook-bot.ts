/**
 * The webhook bot: each visitor message goes to the bot's URL as a Standard Webhooks-signed `bot.turn` event,
 * over the same guarded, pinned sender as webhooks (WEBHOOK_ALLOW_PRIVATE applies). The bot answers later
 * through REST API v1 with its own key (a message, or POST …/handoff), so a delivered event answers `none`; the
 * runner's deadline hands off if no answer comes in time. A refused or failed delivery throws: a person takes over.
 */
import type { WebhookBotConfig } from '../contract/bots.ts';
import { newId } from '../app/ids.ts';
import { sendWebhook } from '../webhooks/send.ts';
import { signedHeaders } from '../webhooks/signing.ts';
import type { BotResponder, BotTurnContext, BotTurnInput, BotTurnResult } from './ports.ts';

export interface WebhookBotDeps {
  allowPrivate: boolean;
  now(): number;
}

/** The body a webhook bot receives; `data` is this conversation only. */
export interface BotTurnEvent {
  type: 'bot.turn';
  timestamp: string;
  data: BotTurnInput;
}

export function createWebhookBot(config: WebhookBotConfig, deps: WebhookBotDeps, timeoutMs: number): BotResponder {
  return {
    async respond(input: BotTurnInput, context: BotTurnContext): Promise<BotTurnResult> {
      const at = new Date(deps.now());
      const body = JSON.stringify({ type: 'bot.turn', timestamp: at.toISOString(), data: input } satisfies BotTurnEvent);
      const headers = signedHeaders(`msg_${newId()}`, at, body, [config.secret]);
      const sent = await sendWebhook(config.url, headers, body, { allowPrivate: deps.allowPrivate, timeoutMs, signal: context.signal });
      if (!sent.ok) throw new Error(`bot webhook failed: ${sent.error ?? 'no answer'}`);
      return { kind: 'none' };
    },
  };
}
