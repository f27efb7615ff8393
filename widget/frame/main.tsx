/**
 * The chat frame's entry. It runs inside the loader's iframe on the chat server's origin, talks only to
 * the host origin named in its URL (the browser drops posts to any other), and starts the chat once
 * the loader's `init` brings the visitor's token.
 */
import { render } from 'preact';
import type { WidgetConfig } from '../../server/contract/http.ts';
import { listen, post, type FrameMessage, type HostMessage } from '../bridge.ts';
import { pickLocale } from '../shared/i18n.ts';
import { App } from './app.tsx';
import { frameTranslator } from './i18n.ts';
import { VisitorChat } from './visitor-chat.ts';

function hostOriginFromUrl(): string | null {
  const host = new URLSearchParams(location.search).get('host');
  try {
    return host && new URL(host).origin === host ? host : null;
  } catch {
    return null;
  }
}

function start(hostOrigin: string): void {
  const toHost = (message: FrameMessage): void => post(window.parent, hostOrigin, message);
  let chat: VisitorChat | null = null;
  let visible = false;

  const startChat = (token: string, config: WidgetConfig): VisitorChat => {
    const created = new VisitorChat(token, () => toHost({ v: 1, type: 'token-rejected' }));
    created.setVisible(visible);
    let reported = '';
    created.subscribe(({ conversation, unread }) => {
      const state: FrameMessage = { v: 1, type: 'state', hasConversation: conversation !== null, unread };
      const key = JSON.stringify(state);
      if (key !== reported) toHost(state);
      reported = key;
    });
    const locale = pickLocale(navigator.languages, config.settings.locale);
    document.documentElement.lang = locale;
    const app = document.getElementById('app');
    if (app) render(<App chat={created} config={config} locale={locale} t={frameTranslator(locale)} onClose={() => toHost({ v: 1, type: 'close' })} />, app);
    return created;
  };

  listen<HostMessage>(() => window.parent, hostOrigin, (message) => {
    switch (message.type) {
      case 'init':
        if (chat) chat.setToken(message.token);
        else chat = startChat(message.token, message.config);
        break;
      case 'visibility':
        visible = message.open;
        chat?.setVisible(visible);
        break;
    }
  });
  toHost({ v: 1, type: 'ready' });
}

const hostOrigin = hostOriginFromUrl();
if (hostOrigin && window.parent !== window) start(hostOrigin);
else console.warn('[Parley] the chat frame runs inside the page that loaded widget.js');
