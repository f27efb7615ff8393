/** What the alerts use case needs from storage: push subscriptions and preferences. */
import type { AlertPreferencesDTO, PushSubscriptionRequest } from '../contract/alerts.ts';

export interface PushSubscriptionRecord {
  id: string;
  agentId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  createdAt: Date;
}

export interface AlertStore {
  /** Adds the subscription, or hands an endpoint already known (the same browser) to this agent with its new keys. */
  saveSubscription(agentId: string, subscription: PushSubscriptionRequest): Promise<PushSubscriptionRecord>;
  subscriptions(agentId: string): Promise<PushSubscriptionRecord[]>;
  findSubscription(id: string): Promise<PushSubscriptionRecord | null>;
  /** Removes the agent's subscription to this endpoint; answers whether there was one. */
  deleteSubscription(agentId: string, endpoint: string): Promise<boolean>;
  /** Removes it whoever owns it: the push service answered that it is gone (404/410). */
  forgetSubscription(id: string): Promise<void>;
  /** Null when the agent never saved any: the defaults apply. */
  preferences(agentId: string): Promise<AlertPreferencesDTO | null>;
  savePreferences(agentId: string, preferences: AlertPreferencesDTO): Promise<void>;
}
