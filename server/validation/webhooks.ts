/** The shape of webhook requests, shared by the admin API and the CLI. */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, type CreateWebhookRequest } from '../contract/webhooks.ts';

export const webhookUrl = z.string().max(2000).superRefine((value, ctx) => {
  const problem = urlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const createWebhook = z.strictObject({
  url: webhookUrl,
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length),
}) satisfies z.ZodType<CreateWebhookRequest>;

/** What a webhook URL must be: absolute, http(s), no credentials in it. Answers why not, or null. */
function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain a user name or password';
  return null;
}
