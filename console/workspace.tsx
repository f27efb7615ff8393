/** The signed-in console: who I am, the Queue and Mine lists, and the open conversation. */
import { useEffect, useState } from 'preact/hooks';
import type { AgentDTO } from '../server/contract/dto.ts';
import type { AgentAuth } from './auth.ts';
import { ConversationList } from './conversation-list.tsx';
import { ConversationPane } from './conversation-pane.tsx';
import { t } from './i18n.ts';
import { Inbox, mineOf, queueOf, type InboxState } from './inbox.ts';

function useInbox(auth: AgentAuth, agent: AgentDTO): [Inbox, InboxState] {
  const [inbox] = useState(() => new Inbox(auth, agent));
  const [state, setState] = useState(inbox.state);
  useEffect(() => {
    const unsubscribe = inbox.subscribe(setState);
    return () => {
      unsubscribe();
      inbox.close();
    };
  }, [inbox]);
  return [inbox, state];
}

const connectionText = { connecting: t('connecting'), online: '', reconnecting: t('reconnecting'), unavailable: t('unavailable') };

export function Workspace({ auth, agent }: { auth: AgentAuth; agent: AgentDTO }) {
  const [inbox, state] = useInbox(auth, agent);
  const { me, selectedId } = state;
  const select = (id: string): void => void inbox.select(id);
  return (
    <div class="workspace">
      <header class="topbar">
        <span class="brand">Parley</span>
        <p class="me">
          <span class="name">{me.name}</span>
          <span class={`presence ${me.status}`}>{t(me.status)}</span>
          <span>{t('load', { load: me.load, capacity: me.capacity })}</span>
        </p>
        <p class="connection" role="status">
          {connectionText[state.connection]}
        </p>
        <button type="button" onClick={() => void auth.logout()}>
          {t('signOut')}
        </button>
      </header>
      <nav class="sidebar" aria-label={t('conversations')}>
        <ConversationList id="queue" title={t('queue')} conversations={queueOf(state)} selectedId={selectedId} onSelect={select} />
        <ConversationList id="mine" title={t('mine')} conversations={mineOf(state)} selectedId={selectedId} onSelect={select} />
      </nav>
      <ConversationPane inbox={inbox} state={state} />
    </div>
  );
}
