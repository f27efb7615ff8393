/** The shape of webhook requests, shared by the admin API and the CLI. */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, type CreateWebhookRequest } from '../contract/webhooks.ts';
import { urlProblem } from '../webhooks/address-guard.ts';

const webhookUrl = z.string().max(2000).superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const createWebhook = z.strictObject({
  url: webhookUrl,
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
}) satisfies z.ZodType<CreateWebhookRequest>;
