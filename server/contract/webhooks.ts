/** Webhooks' wire types: the admin API (/api/admin/sites/:id/webhooks…), the console and the CLI's JSON. */

/** The event types an endpoint can subscribe to (`conversation.rated` is published as `rating.created`). */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'conversation.queued',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.unassigned',
  'conversation.resolved',
  'conversation.reopened',
  'rating.created',
  'visitor.identified',
  'visitor.updated',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Every delivery's body: `type`, when it happened, and the event's data. A test event has type `webhook.test`. */
export interface WebhookPayload {
  type: WebhookEventType | 'webhook.test';
  timestamp: string;
  data: unknown;
}

export interface CreateWebhookRequest {
  url: string;
  events: WebhookEventType[];
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryDTO {
  id: string;
  /** The webhook-id header, the same on every retry and replay. */
  webhookId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  /** The first KiB of the receiver's last answer. */
  lastResponseSnippet: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface WebhookEndpointDTO {
  id: string;
  siteId: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  /** Until when the secret replaced by the last rotation still signs too. */
  previousSecretUntil: string | null;
  createdAt: string;
  lastDelivery: WebhookDeliveryDTO | null;
}

/** The answer to create and rotate: the only time the secret is shown. */
export interface WebhookSecretResponse {
  id: string;
  secret: string;
}
