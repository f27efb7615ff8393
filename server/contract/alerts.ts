/**
 * Alerts for agents away from the console (Web Push and email): the kinds, each agent's preferences, the push
 * subscription a browser hands over, and what a push message carries to the console's service worker.
 */

/** What can alert an agent, and through which channels each kind can arrive. */
export const ALERT_CHANNELS = {
  /** A conversation waits in a queue I answer for longer than the site's alertAfterSeconds. */
  queueWait: ['push'],
  /** A visitor wrote in a conversation assigned to me while no console tab of mine was visible. */
  visitorMessage: ['push'],
  /** A conversation was transferred to me. */
  transfer: ['push'],
  /** Still waiting after the site's escalation minutes. */
  escalation: ['email'],
  /** A visitor left a message while nobody of the site was online. */
  offlineMessage: ['push', 'email'],
} as const satisfies Record<string, readonly AlertChannel[]>;

export type AlertChannel = 'push' | 'email';
export type AlertKind = keyof typeof ALERT_CHANNELS;
export const ALERT_KINDS = Object.keys(ALERT_CHANNELS) as AlertKind[];

/** Minutes after local midnight, 0–1439. */
export interface QuietHours {
  from: number;
  to: number;
}

export interface AlertPreferencesDTO {
  /** Per kind, per channel it can use: on or off. */
  channels: Record<AlertKind, Record<AlertChannel, boolean>>;
  /** No push and no email inside these hours (crossing midnight when `from` > `to`); null: none. */
  quietHours: QuietHours | null;
  /** IANA time zone the quiet hours are in, e.g. "Europe/Paris". */
  timeZone: string;
}

export const DEFAULT_ALERT_PREFERENCES: AlertPreferencesDTO = {
  channels: Object.fromEntries(ALERT_KINDS.map((kind) => [kind, { push: true, email: true }])) as AlertPreferencesDTO['channels'],
  quietHours: null,
  timeZone: 'UTC',
};

/** A browser's PushSubscription as `toJSON()` gives it (expirationTime is ignored). */
export interface PushSubscriptionRequest {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushSubscriptionDTO {
  id: string;
  endpoint: string;
  createdAt: string;
}

/** GET /api/agent/push: the server's VAPID public key (applicationServerKey) and this agent's subscriptions. */
export interface PushSetupDTO {
  publicKey: string;
  subscriptions: PushSubscriptionDTO[];
}

/**
 * What a push message carries (JSON, encrypted for the browser). The service worker writes the notification
 * text in the agent's language from it. With the site's alertsWithoutMessageText, `visitorName` and `text` are
 * absent: ids only, and that a visitor is waiting.
 */
export interface PushAlertPayload {
  kind: AlertKind;
  conversationId: string;
  siteId: string;
  siteName?: string;
  visitorName?: string;
  text?: string;
}
