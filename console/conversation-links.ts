/**
 * Opens the conversation a link or a notification points at: `/console/#conversation=<id>` (a new tab opened
 * from a notification, an alert email's link) or the service worker's message to a tab already open.
 */
import { useEffect } from 'preact/hooks';
import type { OpenConversationMessage } from './push-text.ts';

const LINK = /^#conversation=([A-Za-z0-9_-]{1,64})$/;

export function useConversationLinks(open: (conversationId: string) => void, onOpened: () => void): void {
  useEffect(() => {
    const fromHash = () => {
      const id = LINK.exec(location.hash)?.[1];
      if (!id) return;
      history.replaceState(null, '', location.pathname);
      open(id);
      onOpened();
    };
    const fromWorker = (event: MessageEvent<OpenConversationMessage>) => {
      if (event.data?.type !== 'parley:open-conversation') return;
      open(event.data.conversationId);
      onOpened();
    };
    fromHash();
    window.addEventListener('hashchange', fromHash);
    navigator.serviceWorker?.addEventListener('message', fromWorker);
    return () => {
      window.removeEventListener('hashchange', fromHash);
      navigator.serviceWorker?.removeEventListener('message', fromWorker);
    };
  }, []);
}
