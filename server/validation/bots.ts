/** The shape of bot requests, shared by the admin API and the CLI. */
import { z } from 'zod';
import { BOT_KINDS, BOT_WHEN, type BotConfig, type BotConfigInput, type CreateBotRequest, type UpdateBotRequest } from '../contract/bots.ts';
import { MAX_MESSAGE_LENGTH } from '../contract/events.ts';
import { unsafePattern } from '../domain/bot-rules.ts';
import { id, oneLine, text } from './primitives.ts';
import { webhookUrl } from './webhooks.ts';

const answerText = text(MAX_MESSAGE_LENGTH).min(1);

const rule = z
  .strictObject({
    type: z.enum(['keyword', 'regex']),
    match: text(200).min(1),
    answer: answerText.optional(),
    cannedId: id.optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.answer === undefined) === (r.cannedId === undefined)) ctx.addIssue({ code: 'custom', message: 'give either answer or cannedId', path: ['answer'] });
    const unsafe = r.type === 'regex' ? unsafePattern(r.match) : null;
    if (unsafe) ctx.addIssue({ code: 'custom', message: `pattern ${unsafe}`, path: ['match'] });
  });

export const ruleConfig = z.strictObject({
  rules: z.array(rule).max(100),
  awayMessage: answerText.optional(),
  collectEmail: z.boolean().optional(),
});

/** The secret is made by Parley when the bot is created; a request cannot set it. */
export const webhookConfig = z.strictObject({ url: webhookUrl });

export const openAiConfig = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }).max(2000),
  model: text(200).min(1),
  apiKey: text(500).min(1).optional(),
  systemPrompt: text(8000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(32_000).optional(),
});

const configs = { rule: ruleConfig, webhook: webhookConfig, openai: openAiConfig } as const;

const common = {
  name: text(80).min(1).regex(...oneLine),
  when: z.enum(BOT_WHEN).optional(),
  capacity: z.number().int().min(1).max(1000).optional(),
  /** At most 60 s: the bot.turn job's own limit leaves room for the send after it (bots/runner.ts). */
  timeoutMs: z.number().int().min(1000).max(60_000).optional(),
  enabled: z.boolean().optional(),
};

export const createBot = z
  .strictObject({ ...common, kind: z.enum(BOT_KINDS), config: z.record(z.string(), z.unknown()) })
  .transform((req, ctx) => {
    const parsed = configs[req.kind].safeParse(req.config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: ['config', ...issue.path.map(String)] });
      return z.NEVER;
    }
    return { ...req, config: parsed.data as BotConfigInput };
  }) satisfies z.ZodType<CreateBotRequest, unknown>;

/** The config is checked against the bot's kind by the use case (configFor), which knows the kind. */
export const updateBot = z.strictObject({
  name: common.name.optional(),
  when: common.when,
  capacity: common.capacity,
  timeoutMs: common.timeoutMs,
  enabled: common.enabled,
  config: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<Omit<UpdateBotRequest, 'config'> & { config?: Record<string, unknown> }, unknown>;

/** A config for a bot of `kind`, or the issues that refuse it. */
export function configFor(kind: keyof typeof configs, config: unknown): z.ZodSafeParseResult<BotConfig> {
  return configs[kind].safeParse(config) as z.ZodSafeParseResult<BotConfig>;
}
