/** Bots' wire types: the admin API (/api/admin/sites/:id/bots…), the console and the CLI's JSON. */

export const BOT_KINDS = ['rule', 'webhook', 'openai'] as const;
export type BotKind = (typeof BOT_KINDS)[number];

/** When a new conversation of the site goes to its bot first: always, outside business hours, or when no agent is online. */
export const BOT_WHEN = ['always', 'closed', 'no-agent'] as const;
export type BotWhen = (typeof BOT_WHEN)[number];

/** One rule: a visitor message matching `match` (keyword: contains the words, case-insensitive; regex: a safe subset) gets `answer`. */
export interface BotRule {
  type: 'keyword' | 'regex';
  match: string;
  /** The answer's text; or, with cannedId, a canned response's body. */
  answer?: string;
  cannedId?: string;
}

export interface RuleBotConfig {
  rules: BotRule[];
  /** Sent instead of the rules outside the site's business hours (then it hands off like any unanswered message). */
  awayMessage?: string;
  /** Asks for the visitor's email (and stores it on their profile) before handing off. */
  collectEmail?: boolean;
}

export interface WebhookBotConfig {
  url: string;
  /** whsec_… Standard Webhooks signing secret; answered in full only when the bot is created. */
  secret: string;
}

export interface OpenAiBotConfig {
  baseUrl: string;
  model: string;
  /** Answered masked (…last 4) after creation. */
  apiKey?: string;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
}

export type BotConfig = RuleBotConfig | WebhookBotConfig | OpenAiBotConfig;
/** What a request gives: a webhook bot's secret is made by Parley. */
export type BotConfigInput = RuleBotConfig | Omit<WebhookBotConfig, 'secret'> | OpenAiBotConfig;

export interface BotDTO {
  id: string;
  siteId: string;
  /** The agent row the bot holds conversations and sends as. */
  agentId: string;
  name: string;
  kind: BotKind;
  when: BotWhen;
  capacity: number;
  timeoutMs: number;
  enabled: boolean;
  /** Secrets masked: a webhook secret and an OpenAI key show their last 4 characters only. */
  config: BotConfig;
  createdAt: string;
}

export interface CreateBotRequest {
  name: string;
  kind: BotKind;
  when?: BotWhen;
  capacity?: number;
  timeoutMs?: number;
  enabled?: boolean;
  config: BotConfigInput;
}

export type UpdateBotRequest = Partial<Omit<CreateBotRequest, 'kind'>>;

/** A created bot, with what is shown once: a webhook bot's signing secret and its API key. */
export interface CreatedBotDTO extends BotDTO {
  secret?: string;
  apiKey?: string;
}

export const BOT_DEFAULTS = { when: 'always', capacity: 20, timeoutMs: 15_000 } as const satisfies Partial<CreateBotRequest>;
