/** An agent's own alert setup: the server's VAPID public key, their push subscriptions and their preferences. */
import { DEFAULT_ALERT_PREFERENCES, type AlertPreferencesDTO, type PushSetupDTO, type PushSubscriptionDTO, type PushSubscriptionRequest } from '../contract/alerts.ts';
import type { AlertStore, PushSubscriptionRecord } from './alert-ports.ts';
import { AppError } from './errors.ts';
import type { PushSubscriptionCache } from './push-subscription-cache.ts';

/** Browsers (devices) per agent: enough for every machine and phone one person uses. */
export const MAX_PUSH_SUBSCRIPTIONS = 20;

export class AlertSettings {
  constructor(
    private readonly alerts: AlertStore,
    private readonly vapidPublicKey: string,
    /** Told of each change, so that visitor-message alerts (on every node) see it. */
    private readonly cache: Pick<PushSubscriptionCache, 'changed'>,
  ) {}

  async setup(agentId: string): Promise<PushSetupDTO> {
    return { publicKey: this.vapidPublicKey, subscriptions: (await this.alerts.subscriptions(agentId)).map(toDTO) };
  }

  async subscribe(agentId: string, subscription: PushSubscriptionRequest): Promise<PushSubscriptionDTO> {
    const existing = await this.alerts.subscriptions(agentId);
    if (existing.length >= MAX_PUSH_SUBSCRIPTIONS && !existing.some((s) => s.endpoint === subscription.endpoint)) {
      throw new AppError('LIMIT_EXCEEDED', `At most ${MAX_PUSH_SUBSCRIPTIONS} devices; turn notifications off on one first`);
    }
    const saved = await this.alerts.saveSubscription(agentId, subscription);
    this.cache.changed({ agentId, endpoint: subscription.endpoint });
    return toDTO(saved);
  }

  async unsubscribe(agentId: string, endpoint: string): Promise<void> {
    if (!(await this.alerts.deleteSubscription(agentId, endpoint))) throw new AppError('NOT_FOUND', 'No such subscription');
    this.cache.changed({ agentId, endpoint });
  }

  async preferences(agentId: string): Promise<AlertPreferencesDTO> {
    return (await this.alerts.preferences(agentId)) ?? DEFAULT_ALERT_PREFERENCES;
  }

  async savePreferences(agentId: string, preferences: AlertPreferencesDTO): Promise<AlertPreferencesDTO> {
    await this.alerts.savePreferences(agentId, preferences);
    return preferences;
  }
}

const toDTO = (s: PushSubscriptionRecord): PushSubscriptionDTO => ({ id: s.id, endpoint: s.endpoint, createdAt: s.createdAt.toISOString() });
