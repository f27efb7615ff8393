/** The Conversations screen: views and search on the left, open conversations in tabs, the visitor beside them. */
import { useState } from 'preact/hooks';
import type { ConversationSummaryDTO } from '../server/contract/dto.ts';
import { ConversationList } from './conversation-list.tsx';
import { ConversationPane } from './conversation-pane.tsx';
import { visitorLabel } from './format.ts';
import { t } from './i18n.ts';
import type { Inbox } from './inbox.ts';
import { viewOf, type InboxState } from './inbox-state.ts';
import { VisitorPanel } from './visitor-panel.tsx';

export const SEARCH_ID = 'conversation-search';

type Tab = 'inbox' | 'all' | 'resolved';

/** The conversations the sidebar shows now, in order: for next / previous shortcuts. */
export function visibleConversations(state: InboxState): ConversationSummaryDTO[] {
  if (state.search.results) return state.search.results;
  if (state.view === 'all' || state.view === 'resolved') return viewOf(state, state.view);
  return [...viewOf(state, 'queue'), ...viewOf(state, 'mine')];
}

function Sidebar({ inbox, state }: { inbox: Inbox; state: InboxState }) {
  const [query, setQuery] = useState(state.search.query);
  const tab: Tab = state.view === 'all' || state.view === 'resolved' ? state.view : 'inbox';
  const tabs: [Tab, string][] = [
    ['inbox', t('inbox')],
    ...(state.canSeeAll ? ([['all', t('all')]] as [Tab, string][]) : []),
    ['resolved', t('resolvedView')],
  ];
  const counts: Record<Tab, number | null> = {
    inbox: null,
    all: viewOf(state, 'all').length,
    resolved: viewOf(state, 'resolved').length,
  };
  const listProps = {
    selectedId: state.selectedId,
    unread: state.unread,
    onSelect: (c: ConversationSummaryDTO) => inbox.open(c),
  };
  const select = (next: Tab) => inbox.setView(next === 'inbox' ? 'queue' : next);
  return (
    <nav class="sidebar" aria-label={t('conversations')}>
      <form
        role="search"
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          void inbox.search(query);
        }}
      >
        <input
          id={SEARCH_ID}
          type="search"
          aria-label={t('searchLabel')}
          placeholder={t('searchPlaceholder')}
          value={query}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            if (!e.currentTarget.value) void inbox.search('');
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setQuery('');
              void inbox.search('');
            }
          }}
        />
      </form>
      {state.search.results ? (
        <ConversationList
          id="search"
          title={state.search.busy ? t('searching') : t('searchResults')}
          conversations={state.search.results}
          emptyText={t('noResults')}
          showAssignee
          {...listProps}
        />
      ) : (
        <>
          <div
            class="view-tabs"
            role="tablist"
            aria-label={t('views')}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const i = tabs.findIndex(([k]) => k === tab);
              const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
              select(next[0]);
              (e.currentTarget.querySelector(`#view-tab-${next[0]}`) as HTMLElement | null)?.focus();
            }}
          >
            {tabs.map(([key, label]) => (
              <button
                key={key}
                id={`view-tab-${key}`}
                type="button"
                role="tab"
                aria-selected={tab === key}
                aria-controls="view-panel"
                tabIndex={tab === key ? 0 : -1}
                onClick={() => select(key)}
              >
                {label}
                {counts[key] !== null && <span class="count">{counts[key]}</span>}
              </button>
            ))}
          </div>
          <div id="view-panel" role="tabpanel" aria-labelledby={`view-tab-${tab}`}>
            {tab === 'inbox' && (
              <>
                <ConversationList id="queue" title={t('queue')} conversations={viewOf(state, 'queue')} showWait {...listProps} />
                <ConversationList id="mine" title={t('mine')} conversations={viewOf(state, 'mine')} {...listProps} />
              </>
            )}
            {tab === 'all' && <ConversationList id="all" title={t('all')} conversations={viewOf(state, 'all')} showAssignee showWait {...listProps} />}
            {tab === 'resolved' && (
              <ConversationList id="resolved" title={t('resolvedView')} conversations={viewOf(state, 'resolved')} {...listProps} />
            )}
          </div>
        </>
      )}
    </nav>
  );
}

function OpenTabs({ inbox, state }: { inbox: Inbox; state: InboxState }) {
  if (state.tabs.length === 0) return null;
  return (
    <nav class="open-tabs" aria-label={t('openConversations')}>
      <ul>
        {state.tabs.map((id) => {
          const conversation = state.conversations[id];
          const label = conversation ? visitorLabel(conversation) : '…';
          const unread = state.unread[id] ?? 0;
          return (
            <li key={id} class={id === state.selectedId ? 'selected' : undefined}>
              <button type="button" class="tab" aria-current={id === state.selectedId ? 'page' : undefined} onClick={() => inbox.select(id)}>
                {unread > 0 && (
                  <>
                    <span class="dot" aria-hidden="true" />
                    <span class="visually-hidden">{t('unreadCount', { count: unread })} </span>
                  </>
                )}
                <span class={`status-dot ${conversation?.status ?? ''}`} aria-hidden="true" />
                {label}
              </button>
              <button type="button" class="tab-close" aria-label={t('closeTab', { name: label })} onClick={() => inbox.closeTab(id)}>
                ×
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

export function ConversationsView({ inbox, state }: { inbox: Inbox; state: InboxState }) {
  const selected = state.selectedId ? state.conversations[state.selectedId] : undefined;
  const thread = state.selectedId ? state.threads[state.selectedId] : undefined;
  return (
    <div class="conversations-view">
      <Sidebar inbox={inbox} state={state} />
      <main class="main">
        <OpenTabs inbox={inbox} state={state} />
        <ConversationPane inbox={inbox} state={state} />
      </main>
      {selected && thread && <VisitorPanel detail={thread.detail} conversation={selected} onOpen={(c) => inbox.open(c)} isAdmin={state.me.role === 'admin'} />}
    </div>
  );
}
