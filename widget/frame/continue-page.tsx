/**
 * "Continue anywhere": the chat frame full-window at /c/<token> (a link in an email), on any device. The token is
 * exchanged for a session of the conversation's visitor, and that conversation is shown; no host page, no bridge.
 */
import { render } from 'preact';
import type { ContinueResponse } from '../../server/contract/continue.ts';
import { LOCALES, pickLocale, type Locale } from '../../client/i18n.ts';
import { App } from './app.tsx';
import { frameTranslator } from './i18n.ts';
import { VisitorChat } from './visitor-chat.ts';

/** The token of a /c/<token> address, or null on any other page. */
export function continueTokenFromPath(): string | null {
  const match = /^\/c\/([0-9a-f]{56})\/?$/i.exec(location.pathname);
  return match ? match[1]! : null;
}

async function exchange(token: string): Promise<ContinueResponse | null> {
  const response = await fetch('/api/continue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  return response.ok ? ((await response.json()) as ContinueResponse) : null;
}

function showExpired(root: HTMLElement, locale: Locale): void {
  const t = frameTranslator(locale);
  document.documentElement.lang = locale;
  document.documentElement.dir = t('dir');
  render(<p class="notice standalone" role="alert">{t('linkExpired')}</p>, root);
}

export async function startContinued(token: string): Promise<void> {
  const root = document.getElementById('app')!;
  const continued = await exchange(token).catch(() => null);
  const setting = continued?.config.settings.locale ?? 'auto';
  const locale = pickLocale(setting === 'auto' ? navigator.languages : [setting], LOCALES);
  if (!continued) return showExpired(root, locale);
  const { session, config, conversationId } = continued;
  let muted = false;
  const chat: VisitorChat = new VisitorChat(session.token, {
    siteKey: config.siteKey,
    context: {
      locale: navigator.language.slice(0, 35),
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone.slice(0, 64),
      userAgent: navigator.userAgent.slice(0, 512),
    },
    typingPreview: config.settings.typingPreview,
    events: {
      // The session ran out while the page stayed open: the link still names the visitor for a while.
      tokenRejected: () => {
        exchange(token).then(
          (renewed) => (renewed ? chat.setToken(renewed.session.token) : showExpired(root, locale)),
          () => showExpired(root, locale),
        );
      },
      tokenChanged: () => {},
      message: () => {},
      apiError: (error) => console.warn('[Parley]', error.message),
    },
  });
  void chat.show(conversationId);
  chat.setSeeing(document.visibilityState === 'visible');
  document.addEventListener('visibilitychange', () => chat.setSeeing(document.visibilityState === 'visible'));
  const draw = (): void => {
    render(<App chat={chat} config={config} locale={locale} open={true} muted={muted} onMute={(next) => ((muted = next), draw())} />, root);
  };
  draw();
}
