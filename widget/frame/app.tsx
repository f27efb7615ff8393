/** The chat panel: header, transcript, status line and composer. */
import { useEffect, useState } from 'preact/hooks';
import type { WidgetConfig } from '../../server/contract/http.ts';
import { Composer } from '../shared/composer.tsx';
import type { Locale, Translate } from '../shared/i18n.ts';
import type { FrameText } from './i18n.ts';
import { StatusLine } from './status-line.tsx';
import { Transcript } from './transcript.tsx';
import type { VisitorChat, VisitorChatState } from './visitor-chat.ts';

interface AppProps {
  chat: VisitorChat;
  config: WidgetConfig;
  locale: Locale;
  t: Translate<FrameText>;
  onClose(): void;
}

function useChatState(chat: VisitorChat): VisitorChatState {
  const [state, setState] = useState(chat.state);
  useEffect(() => chat.subscribe(setState), [chat]);
  return state;
}

export function App({ chat, config, locale, t, onClose }: AppProps) {
  const state = useChatState(chat);
  const { settings } = config;
  return (
    <div class="chat" style={{ '--color': settings.color }} onKeyDown={(event) => event.key === 'Escape' && !event.isComposing && onClose()}>
      <header class="header">
        <h1>{settings.teamName}</h1>
        <button type="button" class="close" aria-label={t('closeChat')} onClick={onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <Transcript greeting={settings.greeting} state={state} locale={locale} t={t} onRetry={(id) => chat.retry(id)} />
      <StatusLine state={state} agentsOnlineAtLoad={config.agentsOnline} t={t} />
      <Composer
        label={t('message')}
        placeholder={t('messagePlaceholder')}
        sendLabel={t('send')}
        maxLength={config.maxMessageLength}
        focused={state.visible}
        onSend={(body) => chat.send(body)}
      />
    </div>
  );
}
