/**
 * Bot use cases for the admin API and the CLI: create (with its agent row, and for a webhook bot a signing secret
 * and an API key scoped to the site, both shown once), list, update, delete. Secrets are stored and never
 * answered in full afterwards.
 */
import { randomBytes } from 'node:crypto';
import { BOT_DEFAULTS, type BotConfig, type BotDTO, type CreateBotRequest, type CreatedBotDTO, type OpenAiBotConfig, type UpdateBotRequest, type WebhookBotConfig } from '../contract/bots.ts';
import { configFor } from '../validation/bots.ts';
import type { ApiKeyService } from './api-keys.ts';
import type { BotPatch, BotRecord } from './bot-store.ts';
import { AppError, notFound } from './errors.ts';
import type { Store } from './ports.ts';

/** A webhook bot's key answers and hands off in its site's conversations, nothing more. */
const BOT_KEY_SCOPES = ['conversations:read', 'conversations:write'] as const;

const mask = (secret: string | undefined) => (secret === undefined ? undefined : `…${secret.slice(-4)}`);

export function toBotDTO(bot: BotRecord): BotDTO {
  const { apiKeyId: _key, createdAt, config, ...rest } = bot;
  return { ...rest, config: maskedConfig(bot.kind, config), createdAt: createdAt.toISOString() };
}

function maskedConfig(kind: BotRecord['kind'], config: BotConfig): BotConfig {
  if (kind === 'webhook') return { ...(config as WebhookBotConfig), secret: mask((config as WebhookBotConfig).secret)! };
  if (kind === 'openai' && (config as OpenAiBotConfig).apiKey) return { ...(config as OpenAiBotConfig), apiKey: mask((config as OpenAiBotConfig).apiKey) };
  return config;
}

export class BotService {
  constructor(
    private readonly store: Pick<Store, 'bots' | 'sites'>,
    /** Routing re-reads the bot's agent row: at once in the server, through a `bot.refresh` job from the CLI. */
    private readonly refreshAgent: (agentId: string) => Promise<unknown>,
    private readonly apiKeys: Pick<ApiKeyService, 'create' | 'revoke'>,
  ) {}

  /** `createdBy`: the admin creating it (a webhook bot's key records who made it). */
  async create(siteId: string, req: CreateBotRequest, createdBy: string): Promise<CreatedBotDTO> {
    if (!(await this.store.sites.findById(siteId))) throw notFound('Site');
    const secret = req.kind === 'webhook' ? `whsec_${randomBytes(24).toString('base64')}` : undefined;
    let bot = await this.store.bots.create({
      siteId,
      name: req.name,
      kind: req.kind,
      when: req.when ?? BOT_DEFAULTS.when,
      capacity: req.capacity ?? BOT_DEFAULTS.capacity,
      timeoutMs: req.timeoutMs ?? BOT_DEFAULTS.timeoutMs,
      enabled: req.enabled ?? true,
      config: (secret ? { ...req.config, secret } : req.config) as BotConfig,
    });
    await this.refreshAgent(bot.agentId);
    if (req.kind !== 'webhook') return toBotDTO(bot);
    const key = await this.apiKeys.create({ name: `Bot: ${req.name}`, scopes: [...BOT_KEY_SCOPES], siteId, agentId: bot.agentId }, createdBy);
    bot = (await this.store.bots.update(bot.id, { apiKeyId: key.id })) ?? bot;
    return { ...toBotDTO(bot), secret, apiKey: key.key };
  }

  async list(siteId?: string): Promise<BotDTO[]> {
    return (await this.store.bots.list(siteId)).map(toBotDTO);
  }

  async get(id: string): Promise<BotDTO> {
    const bot = await this.store.bots.findById(id);
    if (!bot) throw notFound('Bot');
    return toBotDTO(bot);
  }

  /** A config replaces the stored one; secrets left out (or sent back masked) are kept. */
  async update(id: string, req: UpdateBotRequest | (Omit<UpdateBotRequest, 'config'> & { config?: Record<string, unknown> })): Promise<BotDTO> {
    const current = await this.store.bots.findById(id);
    if (!current) throw notFound('Bot');
    const { config, ...fields } = req;
    const patch: BotPatch = { ...fields };
    if (config !== undefined) {
      const parsed = configFor(current.kind, stripMasked(config as Record<string, unknown>));
      if (!parsed.success) throw new AppError('BAD_REQUEST', `config: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      patch.config = keepSecrets(current, parsed.data);
    }
    const updated = await this.store.bots.update(id, patch);
    if (!updated) throw notFound('Bot');
    await this.refreshAgent(updated.agentId);
    return toBotDTO(updated);
  }

  /** The conversations it holds go back to the queue (its agent row is deactivated); its API key is revoked. */
  async delete(id: string): Promise<BotDTO> {
    const bot = await this.store.bots.delete(id);
    if (!bot) throw notFound('Bot');
    await this.refreshAgent(bot.agentId);
    if (bot.apiKeyId) await this.apiKeys.revoke(bot.apiKeyId).catch(() => undefined);
    return toBotDTO(bot);
  }
}

/** A masked secret sent back as it was shown means "unchanged". */
function stripMasked(config: Record<string, unknown>): Record<string, unknown> {
  const { secret: _secret, ...rest } = config;
  return typeof rest.apiKey === 'string' && rest.apiKey.startsWith('…') ? { ...rest, apiKey: undefined } : rest;
}

function keepSecrets(current: BotRecord, next: BotConfig): BotConfig {
  if (current.kind === 'webhook') return { ...next, secret: (current.config as WebhookBotConfig).secret };
  if (current.kind === 'openai' && !(next as OpenAiBotConfig).apiKey) return { ...next, apiKey: (current.config as OpenAiBotConfig).apiKey };
  return next;
}
