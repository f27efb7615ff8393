/** How bots are kept (server/db/bots.ts): a port of its own, beside ports.ts. */
import type { BotConfig, BotDTO } from '../contract/bots.ts';
import type { HandoffReason } from '../bots/ports.ts';

/** The bot as the API shows it, kept with its secrets in full, its API key's id and a real date. */
export interface BotRecord extends Omit<BotDTO, 'createdAt'> {
  /** In full, secrets included: never answered as is (server/app/bots.ts masks them). */
  config: BotConfig;
  apiKeyId: string | null;
  createdAt: Date;
}

export type NewBot = Omit<BotRecord, 'id' | 'agentId' | 'apiKeyId' | 'createdAt'>;
export type BotPatch = Partial<Pick<BotRecord, 'name' | 'when' | 'capacity' | 'timeoutMs' | 'enabled' | 'config' | 'apiKeyId'>>;

export type BotTurnOutcome = 'reply' | 'handoff' | 'none' | 'error';

export interface BotTurnRecord {
  botId: string;
  conversationId: string;
  /** The visitor message answered: one turn per message. */
  messageId: string;
  outcome: BotTurnOutcome;
  reason: HandoffReason | null;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface BotStore {
  /** The bot and its agent row (role bot, a member of the site, no password), in one transaction. */
  create(bot: NewBot): Promise<BotRecord>;
  findById(id: string): Promise<BotRecord | null>;
  findByAgentId(agentId: string): Promise<BotRecord | null>;
  /** All bots, or one site's; oldest first. */
  list(siteId?: string): Promise<BotRecord[]>;
  /** Name and capacity go to the agent row too; disabling deactivates it (routing requeues what it holds). */
  update(id: string, patch: BotPatch): Promise<BotRecord | null>;
  /** Removes the bot; its agent row stays, deactivated, so its past messages keep their author. */
  delete(id: string): Promise<BotRecord | null>;
  /** One record per message: a later word on it (a webhook bot's deadline passing) replaces the first. */
  recordTurn(turn: BotTurnRecord): Promise<void>;
  /** Whether the bot has answered (or tried to answer) this visitor message. */
  hasTurn(messageId: string): Promise<boolean>;
}
