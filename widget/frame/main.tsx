/**
 * The chat frame's entry. It runs inside the loader's iframe on the chat server's origin, talks only to
 * the host origin named in its URL (the browser drops posts to any other), and starts the chat once
 * the loader's `init` brings the visitor's token. At /c/<token> it runs full-window instead (continue-page.tsx).
 */
import { render } from 'preact';
import type { WidgetConfig } from '../../server/contract/http.ts';
import { listen, post, type FrameMessage, type HostMessage, type HostPage } from '../bridge.ts';
import type { Locale } from '../../client/i18n.ts';
import { App } from './app.tsx';
import { continueTokenFromPath, startContinued } from './continue-page.tsx';
import { chime } from './sound.ts';
import { VisitorChat } from './visitor-chat.ts';

function hostOriginFromUrl(): string | null {
  const host = new URLSearchParams(location.search).get('host');
  try {
    return host && new URL(host).origin === host ? host : null;
  } catch {
    return null;
  }
}

/** What the agents see about where the visitor is; fields the server would refuse are left out. */
function visitorContext(page: HostPage) {
  const webUrl = (url: string): string | undefined => (/^https?:\/\//.test(url) && url.length <= 2048 ? url : undefined);
  return {
    pageUrl: webUrl(page.url),
    pageTitle: page.title.trim().slice(0, 300) || undefined,
    referrer: webUrl(page.referrer),
    locale: navigator.language.slice(0, 35),
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone.slice(0, 64),
    userAgent: navigator.userAgent.slice(0, 512),
  };
}

function start(hostOrigin: string): void {
  const toHost = (message: FrameMessage): void => post(window.parent, hostOrigin, message);
  const root = document.getElementById('app')!;
  let chat: VisitorChat | null = null;
  let open = false;
  let muted = false;
  let locale: Locale = 'en';
  let config: WidgetConfig | null = null;
  let renderApp = (): void => {};
  // Whether anyone can answer changes after the page loaded: ask again whenever the panel opens.
  const refreshConfig = (siteKey: string): void => {
    fetch(`/api/widget/config?site=${encodeURIComponent(siteKey)}`)
      .then((response) => (response.ok ? (response.json() as Promise<WidgetConfig>) : null))
      .then((fresh) => {
        if (!fresh) return;
        config = fresh;
        renderApp();
      })
      .catch(() => {}); // keep what we know
  };
  const updateSeeing = (): void => chat?.setSeeing(open && document.visibilityState === 'visible');
  document.addEventListener('visibilitychange', updateSeeing);

  const startChat = (init: Extract<HostMessage, { type: 'init' }>): VisitorChat => {
    const created = new VisitorChat(init.token, {
      siteKey: init.config.siteKey,
      context: visitorContext(init.page),
      typingPreview: init.config.settings.typingPreview,
      events: {
        tokenRejected: () => toHost({ v: 1, type: 'token-rejected' }),
        tokenChanged: (token) => toHost({ v: 1, type: 'token', token }),
        message(message) {
          toHost({ v: 1, type: 'message', message });
          if (message.authorKind === 'agent' && !open && !muted) chime();
        },
        apiError: (error) => toHost({ v: 1, type: 'error', code: error.code, message: error.message }),
      },
    });
    let reported = '';
    // Unsent messages count as a conversation: the next page then starts the frame at once, and sends them.
    created.subscribe(({ conversations, outgoing, unread }) => {
      const state: FrameMessage = { v: 1, type: 'state', hasConversation: conversations.length > 0 || outgoing.length > 0, unread };
      const key = JSON.stringify(state);
      if (key !== reported) toHost(state);
      reported = key;
    });
    renderApp = () => {
      const onMute = (next: boolean): void => {
        muted = next;
        toHost({ v: 1, type: 'muted', muted });
        renderApp();
      };
      const onClose = (): void => toHost({ v: 1, type: 'close' });
      render(<App chat={created} config={config ?? init.config} locale={locale} open={open} muted={muted} onMute={onMute} onClose={onClose} />, root);
    };
    return created;
  };

  listen<HostMessage>(() => window.parent, hostOrigin, (message) => {
    switch (message.type) {
      case 'init':
        if (chat) chat.setToken(message.token);
        else {
          ({ locale, muted, config } = message);
          chat = startChat(message);
        }
        break;
      case 'visibility':
        open = message.open;
        if (open && config) refreshConfig(config.siteKey);
        break;
      case 'locale':
        locale = message.locale;
        break;
      case 'identify':
        void chat?.identify(message.identity);
        break;
      case 'attributes':
        chat?.setAttributes(message.attributes);
        break;
    }
    updateSeeing();
    renderApp();
  });
  toHost({ v: 1, type: 'ready' });
}

const continueToken = continueTokenFromPath();
const hostOrigin = hostOriginFromUrl();
if (continueToken) void startContinued(continueToken);
else if (hostOrigin && window.parent !== window) start(hostOrigin);
else console.warn('[Parley] the chat frame runs inside the page that loaded widget.js');
