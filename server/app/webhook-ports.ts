/** What webhooks keep in the database (server/db/webhooks.ts). */
import type { DeliveryStatus, WebhookEventType } from '../contract/webhooks.ts';

export interface WebhookEndpointRecord {
  id: string;
  siteId: string;
  url: string;
  events: WebhookEventType[];
  secret: string;
  previousSecret: string | null;
  previousUntil: Date | null;
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdAt: Date;
}

export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  webhookId: string;
  eventKey: string;
  eventType: string;
  payload: string;
  conversationId: string | null;
  seq: number;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastResponseSnippet: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export type NewDelivery = Pick<WebhookDeliveryRecord, 'endpointId' | 'webhookId' | 'eventKey' | 'eventType' | 'payload' | 'conversationId' | 'seq'>;

/** One attempt's outcome, as the log shows it. */
export interface AttemptOutcome {
  status: DeliveryStatus;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  responseSnippet: string | null;
  at: Date;
}

export interface WebhookStore {
  createEndpoint(input: Pick<WebhookEndpointRecord, 'siteId' | 'url' | 'events' | 'secret'>): Promise<WebhookEndpointRecord>;
  findEndpoint(id: string): Promise<WebhookEndpointRecord | null>;
  listEndpoints(siteId: string): Promise<WebhookEndpointRecord[]>;
  /** The enabled endpoints of a site: who an event goes to. */
  enabledEndpoints(siteId: string): Promise<WebhookEndpointRecord[]>;
  deleteEndpoint(id: string): Promise<boolean>;
  updateEndpoint(id: string, change: Partial<Pick<WebhookEndpointRecord, 'secret' | 'previousSecret' | 'previousUntil' | 'enabled' | 'disabledAt' | 'disabledReason'>>): Promise<void>;
  /** Adds the delivery unless its endpoint has one for this eventKey; answers the new row or null. */
  createDelivery(input: NewDelivery): Promise<WebhookDeliveryRecord | null>;
  findDelivery(id: string): Promise<WebhookDeliveryRecord | null>;
  /** Newest first. */
  listDeliveries(endpointId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Whether a pending delivery of the same endpoint and conversation comes before this one. */
  hasEarlierPending(delivery: WebhookDeliveryRecord): Promise<boolean>;
  recordAttempt(id: string, outcome: AttemptOutcome): Promise<void>;
  /** Back to pending for a replay. */
  reopenDelivery(id: string): Promise<void>;
}
