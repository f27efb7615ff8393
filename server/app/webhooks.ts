/**
 * Webhooks' use cases, called alike by the admin API (server/http/webhook-routes.ts) and the CLI
 * (server/cli/webhook.ts): endpoints (create, list, delete, rotate the secret, enable again), the delivery log,
 * replay and test events; and `publish`, which the domain-event subscriber calls to log and enqueue a delivery.
 * Shapes arrive validated (server/validation/webhooks.ts); the target address is checked here.
 */
import type { CreateWebhookRequest, WebhookDeliveryDTO, WebhookEndpointDTO, WebhookEventType, WebhookPayload, WebhookSecretResponse } from '../contract/webhooks.ts';
import type { Clock } from '../domain/clock.ts';
import type { JobOutbox } from '../jobs/outbox.ts';
import { newId, newWebhookId, newWebhookSecret } from './ids.ts';
import { AppError, notFound } from './errors.ts';
import type { SiteStore } from './ports.ts';
import type { WebhookEndpointCache } from './webhook-endpoint-cache.ts';
import type { WebhookDeliveryRecord, WebhookEndpointRecord, WebhookStore } from './webhook-ports.ts';

/** How long the secret replaced by a rotation keeps signing, so receivers can switch without missing events. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
export const DELIVERY_LOG_LIMIT = 50;

export interface WebhookJob {
  deliveryId: string;
}

declare module '../jobs/types.ts' {
  interface JobMap {
    'webhook.deliver': WebhookJob;
  }
}

/** An event as one endpoint receives it. */
export interface PublishedEvent {
  type: WebhookEventType | 'webhook.test';
  /** Unique per fact: the same fact published twice is delivered once. */
  key: string;
  data: unknown;
  /** Deliveries of one conversation go out in `seq` order. */
  conversationId: string | null;
  seq: number;
}

export interface WebhookDeps {
  webhooks: WebhookStore;
  /** The enabled endpoints `publish` asks for, told of every change made here. */
  endpoints: Pick<WebhookEndpointCache, 'get' | 'changed'>;
  sites: Pick<SiteStore, 'findById'>;
  outbox: Pick<JobOutbox, 'enqueue'>;
  clock: Clock;
  /** Refuses a URL whose host is (or resolves to) a private address: throws with the reason. */
  checkTarget: (url: URL) => Promise<unknown>;
}

export class WebhookService {
  constructor(private readonly deps: WebhookDeps) {}

  async create(siteId: string, request: CreateWebhookRequest): Promise<WebhookSecretResponse> {
    await this.site(siteId);
    await this.deps.checkTarget(new URL(request.url)).catch((error: unknown) => {
      throw new AppError('BAD_REQUEST', `url: ${(error as Error).message}`);
    });
    const secret = newWebhookSecret();
    const endpoint = await this.deps.webhooks.createEndpoint({ siteId, url: request.url, events: [...new Set(request.events)], secret });
    this.deps.endpoints.changed({ siteId });
    return { id: endpoint.id, secret };
  }

  async list(siteId: string): Promise<WebhookEndpointDTO[]> {
    await this.site(siteId);
    const endpoints = await this.deps.webhooks.listEndpoints(siteId);
    return Promise.all(endpoints.map(async (e) => toEndpointDTO(e, (await this.deps.webhooks.listDeliveries(e.id, 1))[0] ?? null)));
  }

  async delete(siteId: string, endpointId: string): Promise<void> {
    await this.endpoint(siteId, endpointId);
    await this.deps.webhooks.deleteEndpoint(endpointId);
    this.deps.endpoints.changed({ siteId });
  }

  async rotateSecret(siteId: string, endpointId: string): Promise<WebhookSecretResponse> {
    const endpoint = await this.endpoint(siteId, endpointId);
    const secret = newWebhookSecret();
    const previousUntil = new Date(this.deps.clock.now() + ROTATION_OVERLAP_MS);
    await this.deps.webhooks.updateEndpoint(endpointId, { secret, previousSecret: endpoint.secret, previousUntil });
    return { id: endpointId, secret };
  }

  /** Turns an endpoint disabled after failing for good back on; deliveries from now on go to it again. */
  async enable(siteId: string, endpointId: string): Promise<WebhookEndpointDTO> {
    await this.endpoint(siteId, endpointId);
    await this.deps.webhooks.updateEndpoint(endpointId, { enabled: true, disabledAt: null, disabledReason: null });
    this.deps.endpoints.changed({ siteId });
    return toEndpointDTO((await this.deps.webhooks.findEndpoint(endpointId))!, (await this.deps.webhooks.listDeliveries(endpointId, 1))[0] ?? null);
  }

  async deliveries(siteId: string, endpointId: string): Promise<WebhookDeliveryDTO[]> {
    await this.endpoint(siteId, endpointId);
    return (await this.deps.webhooks.listDeliveries(endpointId, DELIVERY_LOG_LIMIT)).map(toDeliveryDTO);
  }

  /** Sends a logged delivery again, with its webhook-id, so a receiver that has it already can tell. */
  async replay(siteId: string, deliveryId: string): Promise<WebhookDeliveryDTO> {
    const delivery = await this.deps.webhooks.findDelivery(deliveryId);
    if (!delivery) throw notFound('Delivery');
    await this.endpoint(siteId, delivery.endpointId);
    await this.deps.webhooks.reopenDelivery(deliveryId);
    await this.enqueue(delivery, `:replay:${newId()}`);
    return toDeliveryDTO({ ...delivery, status: 'pending' });
  }

  async sendTest(siteId: string, endpointId: string): Promise<WebhookDeliveryDTO> {
    const endpoint = await this.endpoint(siteId, endpointId);
    const delivery = await this.deliver(endpoint, { type: 'webhook.test', key: `test:${newId()}`, data: { endpointId }, conversationId: null, seq: 0 });
    return toDeliveryDTO(delivery!);
  }

  /** Logs and enqueues the event for every enabled endpoint of the site that wants it. */
  async publish(siteId: string, event: PublishedEvent): Promise<void> {
    const endpoints = await this.deps.endpoints.get(siteId);
    await Promise.all(endpoints.filter((e) => e.events.includes(event.type as WebhookEventType)).map((e) => this.deliver(e, event)));
  }

  private async deliver(endpoint: WebhookEndpointRecord, event: PublishedEvent): Promise<WebhookDeliveryRecord | null> {
    const body: WebhookPayload = { type: event.type, timestamp: new Date(this.deps.clock.now()).toISOString(), data: event.data };
    const delivery = await this.deps.webhooks.createDelivery({
      endpointId: endpoint.id,
      webhookId: newWebhookId(),
      eventKey: event.key,
      eventType: event.type,
      payload: JSON.stringify(body),
      conversationId: event.conversationId,
      seq: event.seq,
    });
    // null: this fact was published before, and its delivery enqueued then.
    if (delivery) await this.enqueue(delivery, '');
    return delivery;
  }

  private async enqueue(delivery: WebhookDeliveryRecord, suffix: string): Promise<void> {
    await this.deps.outbox.enqueue('webhook.deliver', `webhook:${delivery.endpointId}:${delivery.eventKey}${suffix}`, { deliveryId: delivery.id });
  }

  private async site(siteId: string): Promise<void> {
    if (!(await this.deps.sites.findById(siteId))) throw notFound('Site');
  }

  private async endpoint(siteId: string, endpointId: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.deps.webhooks.findEndpoint(endpointId);
    if (!endpoint || endpoint.siteId !== siteId) throw notFound('Webhook');
    return endpoint;
  }
}

function toEndpointDTO(e: WebhookEndpointRecord, last: WebhookDeliveryRecord | null): WebhookEndpointDTO {
  return {
    id: e.id,
    siteId: e.siteId,
    url: e.url,
    events: e.events,
    enabled: e.enabled,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    disabledReason: e.disabledReason,
    previousSecretUntil: e.previousUntil?.toISOString() ?? null,
    createdAt: e.createdAt.toISOString(),
    lastDelivery: last && toDeliveryDTO(last),
  };
}

function toDeliveryDTO(d: WebhookDeliveryRecord): WebhookDeliveryDTO {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastLatencyMs: d.lastLatencyMs,
    lastError: d.lastError,
    lastResponseSnippet: d.lastResponseSnippet,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}
