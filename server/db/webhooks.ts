/** Webhook endpoints and their delivery log. */
import type { IdGenerator } from '../app/ids.ts';
import type { AttemptOutcome, NewDelivery, WebhookDeliveryRecord, WebhookEndpointRecord, WebhookStore } from '../app/webhook-ports.ts';
import type { DeliveryStatus, WebhookEventType } from '../contract/webhooks.ts';
import { Coalescer } from '../app/coalescer.ts';
import { isUniqueViolation } from './errors.ts';
import type { PrismaClient, WebhookDelivery, WebhookEndpoint } from './generated/sqlite/client.ts';

/** The log keeps this much of a receiver's answer. */
const SNIPPET_CHARS = 1024;

export class PrismaWebhookStore implements WebhookStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async createEndpoint(input: Pick<WebhookEndpointRecord, 'siteId' | 'url' | 'events' | 'secret'>) {
    return toEndpoint(await this.prisma.webhookEndpoint.create({ data: { id: this.newId(), ...input } }));
  }

  async findEndpoint(id: string) {
    const row = await this.prisma.webhookEndpoint.findUnique({ where: { id } });
    return row && toEndpoint(row);
  }

  async listEndpoints(siteId: string) {
    return (await this.prisma.webhookEndpoint.findMany({ where: { siteId }, orderBy: { createdAt: 'asc' } })).map(toEndpoint);
  }

  /** Asked by each node's endpoint cache when an entry is missing or old: misses of one round of I/O share one query. */
  enabledEndpoints(siteId: string) {
    return this.enabledBySite.add(siteId);
  }

  private readonly enabledBySite = new Coalescer<string, WebhookEndpointRecord[]>(async (siteIds) => {
    const rows = await this.prisma.webhookEndpoint.findMany({ where: { siteId: { in: [...new Set(siteIds)] }, enabled: true } });
    return siteIds.map((siteId) => ({ status: 'fulfilled', value: rows.filter((row) => row.siteId === siteId).map(toEndpoint) }));
  });

  async deleteEndpoint(id: string) {
    const { count } = await this.prisma.webhookEndpoint.deleteMany({ where: { id } });
    return count === 1;
  }

  async updateEndpoint(id: string, change: Parameters<WebhookStore['updateEndpoint']>[1]) {
    await this.prisma.webhookEndpoint.updateMany({ where: { id }, data: change });
  }

  async createDelivery(input: NewDelivery) {
    try {
      return toDelivery(await this.prisma.webhookDelivery.create({ data: { id: this.newId(), ...input } }));
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async findDelivery(id: string) {
    const row = await this.prisma.webhookDelivery.findUnique({ where: { id } });
    return row && toDelivery(row);
  }

  async listDeliveries(endpointId: string, limit: number) {
    const rows = await this.prisma.webhookDelivery.findMany({ where: { endpointId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit });
    return rows.map(toDelivery);
  }

  async hasEarlierPending(delivery: WebhookDeliveryRecord) {
    if (delivery.conversationId === null) return false;
    const earlier = await this.prisma.webhookDelivery.findFirst({
      where: { endpointId: delivery.endpointId, conversationId: delivery.conversationId, status: 'pending', seq: { lt: delivery.seq } },
      select: { id: true },
    });
    return earlier !== null;
  }

  async recordAttempt(id: string, outcome: AttemptOutcome) {
    await this.prisma.webhookDelivery.update({
      where: { id },
      data: {
        status: outcome.status,
        attempts: { increment: 1 },
        lastStatusCode: outcome.statusCode,
        lastLatencyMs: outcome.latencyMs,
        lastError: outcome.error,
        lastResponseSnippet: outcome.responseSnippet?.slice(0, SNIPPET_CHARS) ?? null,
        ...(outcome.status === 'delivered' && { deliveredAt: outcome.at }),
      },
    });
  }

  async reopenDelivery(id: string) {
    await this.prisma.webhookDelivery.update({ where: { id }, data: { status: 'pending' } });
  }
}

function toEndpoint(row: WebhookEndpoint): WebhookEndpointRecord {
  return { ...row, events: row.events as WebhookEventType[] };
}

function toDelivery(row: WebhookDelivery): WebhookDeliveryRecord {
  return { ...row, status: row.status as DeliveryStatus };
}
