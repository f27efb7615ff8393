/** Agents' push subscriptions and alert preferences. */
import type { AlertStore, PushSubscriptionRecord } from '../app/alert-ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import { DEFAULT_ALERT_PREFERENCES, type AlertPreferencesDTO } from '../contract/alerts.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';

export class PrismaAlertStore implements AlertStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: IdGenerator,
  ) {}

  async saveSubscription(agentId: string, { endpoint, keys }: { endpoint: string; keys: { p256dh: string; auth: string } }): Promise<PushSubscriptionRecord> {
    const fields = { agentId, p256dh: keys.p256dh, auth: keys.auth };
    return this.prisma.pushSubscription.upsert({ where: { endpoint }, create: { id: this.newId(), endpoint, ...fields }, update: fields });
  }

  subscriptions(agentId: string): Promise<PushSubscriptionRecord[]> {
    return this.prisma.pushSubscription.findMany({ where: { agentId }, orderBy: { createdAt: 'asc' } });
  }

  findSubscription(id: string): Promise<PushSubscriptionRecord | null> {
    return this.prisma.pushSubscription.findUnique({ where: { id } });
  }

  async deleteSubscription(agentId: string, endpoint: string): Promise<boolean> {
    const { count } = await this.prisma.pushSubscription.deleteMany({ where: { agentId, endpoint } });
    return count === 1;
  }

  async forgetSubscription(id: string): Promise<void> {
    await this.prisma.pushSubscription.deleteMany({ where: { id } });
  }

  async preferences(agentId: string): Promise<AlertPreferencesDTO | null> {
    const row = await this.prisma.agentAlertPreferences.findUnique({ where: { agentId } });
    if (!row) return null;
    const stored = row.channels as Partial<AlertPreferencesDTO['channels']>;
    // A kind added after the agent saved starts with its default.
    const channels = Object.fromEntries(
      Object.entries(DEFAULT_ALERT_PREFERENCES.channels).map(([kind, fallback]) => [kind, { ...fallback, ...stored[kind as keyof typeof stored] }]),
    ) as AlertPreferencesDTO['channels'];
    const quietHours = row.quietFrom !== null && row.quietTo !== null ? { from: row.quietFrom, to: row.quietTo } : null;
    return { channels, quietHours, timeZone: row.timeZone };
  }

  async savePreferences(agentId: string, { channels, quietHours, timeZone }: AlertPreferencesDTO): Promise<void> {
    const fields = { channels, quietFrom: quietHours?.from ?? null, quietTo: quietHours?.to ?? null, timeZone, updatedAt: new Date() };
    await this.prisma.agentAlertPreferences.upsert({ where: { agentId }, create: { agentId, ...fields }, update: fields });
  }
}
