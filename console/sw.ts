/**
 * The console's service worker (served as /console/sw.js, scope /console/): shows a notification for each push
 * alert, and on a click brings the agent to that conversation: an open console tab is told to open it and is
 * focused; with none, a new tab opens /console/#conversation=<id>.
 *
 * The project compiles against the DOM library, not WebWorker (the two clash in one program), so the few
 * service-worker types used here are declared below.
 */
import type { PushAlertPayload } from '../server/contract/alerts.ts';
import { locale } from './i18n.ts';
import { alertNotification, type OpenConversationMessage } from './push-text.ts';

interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface PushEvent extends ExtendableEvent {
  data: { json(): unknown } | null;
}
interface NotificationEvent extends ExtendableEvent {
  notification: Notification;
}
interface WindowClient {
  url: string;
  focus(): Promise<unknown>;
  postMessage(message: OpenConversationMessage): void;
}
interface ServiceWorkerScope {
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<unknown>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', listener: (event: PushEvent) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEvent) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
}

const worker = globalThis as unknown as ServiceWorkerScope & { openConversation?: typeof openConversation };

/** Shows the conversation in an open console tab, focused, or opens a new tab on it; answers which. */
export async function openConversation(conversationId: string): Promise<'existing-tab' | 'new-tab'> {
  const scope = worker.registration.scope;
  const tabs = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const tab = tabs.find((client) => client.url.startsWith(scope));
  if (tab) {
    tab.postMessage({ type: 'parley:open-conversation', conversationId });
    // Browsers allow focus only during a notification click; the tab has the conversation open either way.
    await tab.focus().catch(() => undefined);
    return 'existing-tab';
  }
  await worker.clients.openWindow(`${scope}#conversation=${encodeURIComponent(conversationId)}`);
  return 'new-tab';
}
// Reachable from the worker's context, where the browser tests call it (a notification cannot be clicked there).
worker.openConversation = openConversation;

worker.addEventListener('install', (event) => event.waitUntil(worker.skipWaiting()));
worker.addEventListener('activate', (event) => event.waitUntil(worker.clients.claim()));

worker.addEventListener('push', (event) => {
  const payload = event.data?.json() as PushAlertPayload | undefined;
  if (!payload?.conversationId) return;
  const { title, body, tag } = alertNotification(payload);
  const icon = `${worker.registration.scope}icon-192.png`;
  event.waitUntil(worker.registration.showNotification(title, { body, tag, icon, lang: locale, data: { conversationId: payload.conversationId } }));
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { conversationId } = (event.notification.data ?? {}) as { conversationId?: string };
  if (conversationId) event.waitUntil(openConversation(conversationId));
});
