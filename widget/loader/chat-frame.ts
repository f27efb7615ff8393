/**
 * The chat iframe (served from the chat server's origin) and the loader's side of the bridge:
 * it gets the visitor a session and hands the token to the frame, never through a URL.
 */
import type { WidgetConfig } from '../../server/contract/http.ts';
import { listen, post, type FrameMessage, type HostMessage } from '../bridge.ts';
import { createVisitorSession } from './server-api.ts';
import type { SiteStorage } from './storage.ts';

export interface ChatFrameOptions {
  origin: string;
  config: WidgetConfig;
  storage: SiteStorage;
  container: HTMLElement;
  onUnread(count: number): void;
  onCloseRequest(): void;
}

export interface ChatFrame {
  setVisible(open: boolean): void;
}

export function createChatFrame({ origin, config, storage, container, onUnread, onCloseRequest }: ChatFrameOptions): ChatFrame {
  const { siteKey } = config;
  const iframe = document.createElement('iframe');
  iframe.title = 'Chat';
  // `host` tells the frame the one origin it may talk to; the browser drops its posts anywhere else.
  // `site` lets the server answer with the site's allowed origins as CSP frame-ancestors.
  iframe.src = `${origin}/frame/?site=${encodeURIComponent(siteKey)}&host=${encodeURIComponent(location.origin)}`;
  container.append(iframe);

  let visible = false;
  let ready = false;
  const send = (message: HostMessage): void => {
    if (ready && iframe.contentWindow) post(iframe.contentWindow, origin, message);
  };
  const startSession = (): void => {
    const token = storage.get('token') ?? undefined;
    createVisitorSession(origin, { siteKey, token }).then(
      (session) => {
        storage.set('token', session.token);
        send({ v: 1, type: 'init', token: session.token, config });
        send({ v: 1, type: 'visibility', open: visible });
      },
      (error: unknown) => console.warn('[Parley] could not start a chat session:', error),
    );
  };

  listen<FrameMessage>(() => iframe.contentWindow, origin, (message) => {
    switch (message.type) {
      case 'ready':
        ready = true;
        startSession();
        break;
      case 'token-rejected':
        startSession();
        break;
      case 'state':
        storage.set('conversation', message.hasConversation ? '1' : null);
        onUnread(message.unread);
        break;
      case 'close':
        onCloseRequest();
        break;
    }
  });

  return {
    setVisible(open) {
      visible = open;
      send({ v: 1, type: 'visibility', open });
    },
  };
}
