/**
 * The signed-in console: the top bar (sections, my status and load, alerts, shortcuts, sign out) and the
 * section on screen. The inbox lives as long as the session, whichever section is shown.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AgentDTO } from '../server/contract/dto.ts';
import { AgentsAdmin } from './admin/agents.tsx';
import { ApiKeysAdmin } from './admin/api-keys.tsx';
import { CannedAdmin } from './admin/canned.tsx';
import { KnowledgeBaseAdmin } from './admin/knowledge-base.tsx';
import { ReportsAdmin } from './admin/reports.tsx';
import { SitesAdmin } from './admin/sites.tsx';
import { AlertPreferences } from './alert-preferences.tsx';
import { Alerts, type AlertsState } from './alerts.ts';
import { AdminApi } from './api.ts';
import type { AgentAuth } from './auth.ts';
import { useConversationLinks } from './conversation-links.ts';
import { ConversationsView, SEARCH_ID, visibleConversations } from './conversations-view.tsx';
import { messagePreview, visitorLabel } from './format.ts';
import { t } from './i18n.ts';
import { Inbox } from './inbox.ts';
import { ArticleLookupContext, articleLookup } from './kb-insert.ts';
import { attentionCount, viewOf, type InboxState } from './inbox-state.ts';
import { disablePush } from './push-device.ts';
import { COMPOSER_ID } from './reply-box.tsx';
import { ShortcutHelp, useShortcuts } from './shortcuts.tsx';

type Section = 'conversations' | 'sites' | 'agents' | 'canned' | 'knowledgeBase' | 'reports' | 'apiKeys';
const ADMIN_SECTIONS: Section[] = ['sites', 'agents', 'canned', 'knowledgeBase', 'reports', 'apiKeys'];
const SECTION_TEXT = { conversations: 'conversations', sites: 'sites', agents: 'agents', canned: 'cannedResponses', knowledgeBase: 'knowledgeBase', reports: 'reports', apiKeys: 'apiKeys' } as const;

function sectionFromHash(admin: boolean): Section {
  const hash = location.hash.replace(/^#\/?/, '') as Section;
  return admin && ADMIN_SECTIONS.includes(hash) ? hash : 'conversations';
}

function useInbox(auth: AgentAuth, agent: AgentDTO): [Inbox, InboxState] {
  const [inbox] = useState(() => new Inbox(auth, agent));
  const [state, setState] = useState(inbox.state);
  useEffect(() => {
    const unsubscribe = inbox.subscribe(setState);
    const onVisibility = () => inbox.setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      unsubscribe();
      document.removeEventListener('visibilitychange', onVisibility);
      inbox.close();
    };
  }, [inbox]);
  return [inbox, state];
}

function useAlerts(inbox: Inbox, state: InboxState): [Alerts, AlertsState] {
  const [alerts] = useState(() => new Alerts());
  const [alertsState, setAlertsState] = useState(alerts.state);
  useEffect(() => alerts.subscribe(setAlertsState), [alerts]);
  useEffect(() => {
    inbox.onAlert = (alert) => {
      if (alert.kind === 'webhookDisabled') {
        const { notice } = alert;
        alerts.notify(t('notifyWebhookDisabledTitle'), `${notice.url}: ${notice.reason}`, `webhook-${notice.endpointId}`, () => {});
        return;
      }
      const name = visitorLabel(alert.conversation);
      if (alert.kind === 'queued') {
        alerts.notify(t('notifyQueuedTitle'), `${name}: ${messagePreview(alert.conversation.lastMessage)}`, `queued-${alert.conversation.id}`, () =>
          inbox.open(alert.conversation),
        );
      } else {
        alerts.notify(t('notifyMessageTitle', { name }), messagePreview(alert.message), `message-${alert.conversation.id}`, () =>
          inbox.open(alert.conversation),
        );
      }
    };
    return () => {
      inbox.onAlert = null;
    };
  }, [inbox, alerts]);
  const count = attentionCount(state);
  useEffect(() => alerts.badge(count), [alerts, count]);
  useEffect(() => () => alerts.badge(0), [alerts]);
  return [alerts, alertsState];
}

const connectionText = { connecting: t('connecting'), online: '', reconnecting: t('reconnecting'), unavailable: t('unavailable') };

function MyStatus({ inbox, state }: { inbox: Inbox; state: InboxState }) {
  const { me } = state;
  const ratio = me.capacity > 0 ? Math.min(1, me.load / me.capacity) : 1;
  return (
    <div class="me">
      <span class="name">{me.name}</span>
      <label class={`presence ${me.status}`}>
        <span class="visually-hidden">{t('myStatus')}</span>
        <select value={me.status === 'away' ? 'away' : 'online'} onChange={(e) => void inbox.setStatus(e.currentTarget.value as 'online' | 'away')}>
          <option value="online">{t('online')}</option>
          <option value="away">{t('away')}</option>
        </select>
      </label>
      <span class="load" title={t('loadTitle')}>
        <span class="load-bar" aria-hidden="true">
          <span style={{ width: `${ratio * 100}%` }} class={ratio >= 1 ? 'full' : undefined} />
        </span>
        {t('load', { load: me.load, capacity: me.capacity })}
      </span>
    </div>
  );
}

export function Workspace({ auth, agent }: { auth: AgentAuth; agent: AgentDTO }) {
  const [inbox, state] = useInbox(auth, agent);
  const [alerts, alertsState] = useAlerts(inbox, state);
  const admin = state.me.role === 'admin';
  const [section, setSection] = useState<Section>(() => sectionFromHash(admin));
  const [help, setHelp] = useState(false);
  const [alertSetup, setAlertSetup] = useState(false);
  const api = useMemo(() => new AdminApi(auth), [auth]);
  const articles = useMemo(() => articleLookup(auth), [auth]);
  const agentApi = useMemo(() => new AdminApi(auth, '/api/agent'), [auth]);
  useEffect(() => {
    const onHash = () => setSection(sectionFromHash(admin));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [admin]);
  const go = (next: Section) => {
    history.replaceState(null, '', next === 'conversations' ? location.pathname : `#/${next}`);
    setSection(next);
  };

  useConversationLinks((id) => inbox.open(id), () => setSection('conversations'));

  const move = (step: 1 | -1) => {
    if (section !== 'conversations') go('conversations');
    const list = visibleConversations(inbox.state);
    if (list.length === 0) return;
    const index = list.findIndex((c) => c.id === inbox.state.selectedId);
    const next = list[index < 0 ? (step === 1 ? 0 : list.length - 1) : (index + step + list.length) % list.length]!;
    inbox.open(next);
  };
  useShortcuts(
    {
      next: () => move(1),
      previous: () => move(-1),
      focusReply: () => {
        if (section !== 'conversations') go('conversations');
        requestAnimationFrame(() => document.getElementById(COMPOSER_ID)?.focus());
      },
      resolve: () => {
        const id = inbox.state.selectedId;
        if (id && inbox.state.conversations[id]?.status !== 'resolved') void inbox.resolve(id);
      },
      claimNext: () => {
        if (viewOf(inbox.state, 'queue').length === 0) return;
        go('conversations');
        void inbox.claimNext();
      },
      focusSearch: () => {
        go('conversations');
        requestAnimationFrame(() => document.getElementById(SEARCH_ID)?.focus());
      },
      closeTab: () => {
        if (inbox.state.selectedId) inbox.closeTab(inbox.state.selectedId);
      },
      help: () => setHelp(true),
    },
    true,
  );

  const sections: Section[] = admin ? ['conversations', ...ADMIN_SECTIONS] : ['conversations'];
  return (
    <div class="workspace">
      <header class="topbar">
        <span class="brand">Parley</span>
        {sections.length > 1 && (
          <nav class="sections" aria-label={t('sections')}>
            {sections.map((s) => (
              <a key={s} href={s === 'conversations' ? '#' : `#/${s}`} aria-current={section === s ? 'page' : undefined} onClick={(e) => {
                e.preventDefault();
                go(s);
              }}>
                {t(SECTION_TEXT[s])}
              </a>
            ))}
          </nav>
        )}
        <p class="connection" role="status">
          {connectionText[state.connection]}
          {state.outgoing.length > 0 && ` ${t('unsentCount', { count: state.outgoing.length })}`}
        </p>
        <MyStatus inbox={inbox} state={state} />
        <button type="button" class="icon" aria-pressed={alertsState.sound} title={t('soundTitle')} onClick={() => alerts.setSound(!alertsState.sound)}>
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <path d="M8 1.5a4 4 0 0 0-4 4v2.8L2.5 11h11L12 8.3V5.5a4 4 0 0 0-4-4Zm-1.6 11a1.6 1.6 0 0 0 3.2 0" fill="none" stroke="currentColor" stroke-width="1.4" />
            {!alertsState.sound && <path d="M2 2l12 12" stroke="currentColor" stroke-width="1.6" />}
          </svg>
          <span class="visually-hidden">{t('sound')}</span>
        </button>
        {alertsState.desktop === 'default' && (
          <button type="button" class="secondary" onClick={() => void alerts.enableDesktop()}>
            {t('enableNotifications')}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => setAlertSetup(true)}>
          {t('alertPreferences')}
        </button>
        <button type="button" class="icon" aria-label={t('keyboardShortcuts')} onClick={() => setHelp(true)}>
          ?
        </button>
        {/* Signing out also stops this device's push alerts: another person may use it next. */}
        <button type="button" class="secondary" onClick={() => void disablePush(agentApi).catch(() => undefined).finally(() => auth.logout())}>
          {t('signOut')}
        </button>
      </header>
      <div class="section">
        {section === 'conversations' && (
          <ArticleLookupContext.Provider value={articles}>
            <ConversationsView inbox={inbox} state={state} />
          </ArticleLookupContext.Provider>
        )}
        {section === 'sites' && <SitesAdmin api={api} />}
        {section === 'agents' && <AgentsAdmin api={api} me={state.me} />}
        {section === 'canned' && <CannedAdmin api={api} onChange={() => inbox.forgetCanned()} />}
        {section === 'knowledgeBase' && <KnowledgeBaseAdmin api={api} />}
        {section === 'reports' && <ReportsAdmin api={api} />}
        {section === 'apiKeys' && <ApiKeysAdmin api={api} />}
      </div>
      <ShortcutHelp open={help} onClose={() => setHelp(false)} />
      <AlertPreferences api={agentApi} open={alertSetup} onClose={() => setAlertSetup(false)} />
    </div>
  );
}
