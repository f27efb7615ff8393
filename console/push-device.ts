/**
 * This browser as a push device: the console's service worker, the browser's permission, and the push
 * subscription handed to the server (POST /api/agent/push-subscriptions) or taken back (DELETE).
 */
import type { PushSetupDTO, PushSubscriptionRequest } from '../server/contract/alerts.ts';
import type { AdminApi } from './api.ts';

export const SERVICE_WORKER_URL = '/console/sw.js';

export type PushDeviceState = 'unsupported' | 'denied' | 'off' | 'on';

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && typeof Notification !== 'undefined';

/** Registers the service worker (on every start, so notification clicks work and the browser offers to install). */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration> | null {
  if (!('serviceWorker' in navigator)) return null;
  return navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: '/console/' });
}

export async function pushState(api: AdminApi): Promise<PushDeviceState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration('/console/');
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return 'off';
  // Known here but not on the server (deleted after a 410, or by another agent signing in here): not on.
  const setup = await api.get<PushSetupDTO>('/push');
  return setup.subscriptions.some((s) => s.endpoint === subscription.endpoint) ? 'on' : 'off';
}

/** Asks for permission (inside the click), subscribes with the server's VAPID key and registers the subscription. */
export async function enablePush(api: AdminApi): Promise<PushDeviceState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const registration = await (registerServiceWorker() ?? Promise.reject(new Error('no service worker')));
  await navigator.serviceWorker.ready;
  const { publicKey } = await api.get<PushSetupDTO>('/push');
  const existing = await registration.pushManager.getSubscription();
  // A subscription made with another key (the server's keys changed) cannot be used: start again.
  if (existing && !sameKey(existing.options.applicationServerKey, publicKey)) await existing.unsubscribe();
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(publicKey) }));
  await api.post('/push-subscriptions', subscription.toJSON() as PushSubscriptionRequest);
  return 'on';
}

export async function disablePush(api: AdminApi): Promise<PushDeviceState> {
  if (!pushSupported()) return 'unsupported';
  const registration = await navigator.serviceWorker.getRegistration('/console/');
  const subscription = await registration?.pushManager.getSubscription();
  if (subscription) {
    await api.delete(`/push-subscriptions?endpoint=${encodeURIComponent(subscription.endpoint)}`).catch(() => undefined);
    await subscription.unsubscribe();
  }
  return 'off';
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function sameKey(key: ArrayBuffer | null, publicKey: string): boolean {
  if (!key) return false;
  const expected = fromBase64url(publicKey);
  const actual = new Uint8Array(key);
  return actual.length === expected.length && actual.every((byte, i) => byte === expected[i]);
}
