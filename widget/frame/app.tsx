/**
 * The chat panel: header, then either the history list or the conversation with what fits under it
 * now: the pre-chat form, the offline form, the rating after a resolve, or the message box.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { WidgetConfig } from '../../server/contract/http.ts';
import type { Locale, Translate } from '../../client/i18n.ts';
import { beforeFirstMessage } from './article-suggestions.tsx';
import { Header } from './header.tsx';
import { History } from './history.tsx';
import { frameTranslator, type FrameText } from './i18n.ts';
import { OfflineForm } from './offline-form.tsx';
import { PrechatForm } from './prechat-form.tsx';
import { ResolvedPanel } from './resolved-panel.tsx';
import { TalkToPerson } from './talk-to-person.tsx';
import { StatusLine } from './status-line.tsx';
import { Transcript } from './transcript.tsx';
import { downloadText, transcriptText } from './transcript-file.ts';
import { VisitorComposer } from './visitor-composer.tsx';
import type { VisitorChat } from './visitor-chat.ts';
import type { VisitorChatState } from './visitor-state.ts';

interface AppProps {
  chat: VisitorChat;
  config: WidgetConfig;
  locale: Locale;
  /** The loader shows the panel. */
  open: boolean;
  muted: boolean;
  onMute(muted: boolean): void;
  /** Absent where there is nothing to close (the full-window page at /c/<token>). */
  onClose?(): void;
}

function useChatState(chat: VisitorChat): VisitorChatState {
  const [state, setState] = useState(chat.state);
  useEffect(() => {
    const unsubscribe = chat.subscribe(setState);
    // The state may have changed between the first render and this effect.
    setState(chat.state);
    return unsubscribe;
  }, [chat]);
  return state;
}

/** The site asks for name or email first, and the visitor has not given what it needs yet. */
function needsPrechat({ settings }: WidgetConfig, { conversations, visitor }: VisitorChatState): boolean {
  const { enabled, nameRequired, emailRequired } = settings.prechat;
  if (!enabled || !visitor || conversations.length > 0) return false;
  if (nameRequired || emailRequired) return (nameRequired && !visitor.name) || (emailRequired && !visitor.email);
  return !visitor.name && !visitor.email;
}

/** Nobody can answer a new or waiting conversation: outside business hours, or no agent online. */
function nobodyAvailable(config: WidgetConfig, { conversation, queue }: VisitorChatState): boolean {
  if (conversation?.status === 'active') return false;
  const agentsOnline = conversation && queue?.conversationId === conversation.id ? queue.agentsOnline : config.agentsOnline;
  return !config.open || !agentsOnline;
}

interface FooterProps {
  chat: VisitorChat;
  state: VisitorChatState;
  config: WidgetConfig;
  locale: Locale;
  t: Translate<FrameText>;
}

function Footer({ chat, state, config, locale, t }: FooterProps) {
  const [prechatDone, setPrechatDone] = useState(false);
  const { conversation, messages } = state;
  if (conversation?.status === 'resolved') {
    const download = (): void =>
      downloadText(`conversation-${conversation.queuedAt.slice(0, 10)}.txt`, transcriptText(messages, config.settings.teamName, locale, t));
    return (
      <ResolvedPanel
        conversation={conversation}
        t={t}
        onRate={(rating, comment) => chat.rate(rating, comment)}
        onDownload={download}
        onEmail={config.emailEnabled && state.visitor?.email ? () => chat.emailTranscript(conversation.id) : undefined}
        onNewConversation={() => chat.startNew()}
      />
    );
  }
  if (!prechatDone && needsPrechat(config, state)) {
    const submit = async (details: { name?: string; email?: string }): Promise<void> => {
      if (details.name || details.email) await chat.updateVisitor(details);
      setPrechatDone(true);
    };
    return <PrechatForm settings={config.settings.prechat} visitor={state.visitor} t={t} onSubmit={submit} />;
  }
  if (nobodyAvailable(config, state)) return <OfflineForm chat={chat} state={state} config={config} t={t} />;
  return <VisitorComposer chat={chat} config={config} t={t} suggest={beforeFirstMessage(state)} />;
}

export function App({ chat, config, locale, open, muted, onMute, onClose }: AppProps) {
  const state = useChatState(chat);
  const t = useMemo(() => frameTranslator(locale), [locale]);
  const [view, setView] = useState<'conversation' | 'history'>('conversation');
  const footer = useRef<HTMLDivElement>(null);
  const { settings } = config;

  // The document's language and direction, for screen readers and for the logical CSS properties; set before
  // the first paint, so a right-to-left panel never shows one frame laid out left to right.
  useLayoutEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.dir = t('dir');
  }, [locale]);

  // On open, focus goes to the first field under the conversation (the loader focused the iframe).
  useEffect(() => {
    const fields = footer.current;
    if (open) (fields?.querySelector<HTMLElement>('textarea, input:not([type=file])') ?? fields?.querySelector('button'))?.focus();
  }, [open]);

  return (
    <div
      class="chat"
      style={{ '--color': settings.color }}
      onKeyDown={(event) => event.key === 'Escape' && !event.isComposing && onClose?.()}
    >
      <Header
        teamName={settings.teamName}
        agent={state.conversation?.assignee ?? null}
        muted={muted}
        historyOpen={view === 'history'}
        t={t}
        onMute={onMute}
        onHistory={() => setView(view === 'history' ? 'conversation' : 'history')}
        onClose={onClose}
      />
      {view === 'history' ? (
        <History
          conversations={state.conversations}
          locale={locale}
          t={t}
          onOpen={(id) => {
            void chat.show(id);
            setView('conversation');
          }}
          onNewConversation={() => {
            chat.startNew();
            setView('conversation');
          }}
          onBack={() => setView('conversation')}
        />
      ) : (
        <>
          <Transcript greeting={settings.greeting} state={state} locale={locale} t={t} onRetry={(id) => chat.retry(id)} />
          <StatusLine state={state} t={t} />
          <TalkToPerson chat={chat} state={state} t={t} />
          <div class="footer" ref={footer}>
            <Footer chat={chat} state={state} config={config} locale={locale} t={t} />
          </div>
        </>
      )}
    </div>
  );
}
