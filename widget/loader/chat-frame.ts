/**
 * The chat iframe (served from the chat server's origin) and the loader's side of the bridge:
 * it gets the visitor a session and hands the token to the frame, never through a URL.
 */
import type { WidgetConfig } from '../../server/contract/http.ts';
import { listen, post, type FrameMessage, type HostMessage } from '../bridge.ts';
import type { Locale } from '../../client/i18n.ts';
import { createVisitorSession } from './server-api.ts';
import type { SiteStorage } from './storage.ts';

export interface ChatFrameOptions {
  origin: string;
  config: WidgetConfig;
  storage: SiteStorage;
  container: HTMLElement;
  /** Read at every init, so an init after a rejected token carries the current choice. */
  locale(): Locale;
  /** Every frame message but the session's own (ready, token-rejected, token). */
  onMessage(message: FrameMessage): void;
}

export interface ChatFrame {
  /** Delivered once the frame has its session; until then messages wait, in order. */
  send(message: HostMessage): void;
  focus(): void;
  remove(): void;
}

export function createChatFrame({ origin, config, storage, container, locale, onMessage }: ChatFrameOptions): ChatFrame {
  const { siteKey } = config;
  const iframe = document.createElement('iframe');
  iframe.title = config.settings.teamName;
  // The frame plays a sound on new messages; browsers let it only with the page's delegation.
  iframe.allow = 'autoplay';
  // `host` tells the frame the one origin it may talk to; the browser drops its posts anywhere else.
  // `site` lets the server answer with the site's allowed origins as CSP frame-ancestors.
  iframe.src = `${origin}/frame/?site=${encodeURIComponent(siteKey)}&host=${encodeURIComponent(location.origin)}`;
  container.append(iframe);

  // Focus given to the iframe while its page is still loading can stay behind with the old document: the
  // frame then looks focused but keystrokes go nowhere. Blurring first makes focusing it again take effect.
  const focus = (): void => {
    iframe.blur();
    iframe.focus();
  };
  let waiting: HostMessage[] | null = [];
  const toFrame = (message: HostMessage): void => {
    if (iframe.contentWindow) post(iframe.contentWindow, origin, message);
  };
  const startSession = (): void => {
    createVisitorSession(origin, { siteKey, token: storage.get('token') ?? undefined }).then(
      ({ token }) => {
        storage.set('token', token);
        const page = { url: location.href, title: document.title, referrer: document.referrer };
        toFrame({ v: 1, type: 'init', token, config, page, locale: locale(), muted: !!storage.get('muted') });
        waiting?.forEach(toFrame);
        waiting = null;
        // The frame's page is there now: an open panel gets the focus again, in case it stayed behind.
        if (!container.hidden) focus();
      },
      (error: unknown) => console.warn('[Parley] no session:', error),
    );
  };

  listen<FrameMessage>(() => iframe.contentWindow, origin, (message) => {
    if (message.type === 'ready' || message.type === 'token-rejected') startSession();
    else if (message.type === 'token') storage.set('token', message.token);
    else onMessage(message);
  });

  return {
    send(message) {
      if (waiting) waiting.push(message);
      else toFrame(message);
    },
    focus,
    // The bridge listener stays, but answers nothing: a removed iframe has no window to match.
    remove: () => iframe.remove(),
  };
}
