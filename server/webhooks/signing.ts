/** Standard Webhooks signing (the `standardwebhooks` package): receivers verify with any library of the spec. */
import { Webhook } from 'standardwebhooks';

/**
 * The three headers of one attempt. Every secret still valid signs (after a rotation, the new and the previous
 * one): the spec allows several space-separated signatures, and a receiver accepts the one it knows.
 */
export function signedHeaders(webhookId: string, at: Date, body: string, secrets: string[]): Record<string, string> {
  const signatures = secrets.map((secret) => new Webhook(secret).sign(webhookId, at, body));
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': Math.floor(at.getTime() / 1000).toString(),
    'webhook-signature': signatures.join(' '),
  };
}
