/** The open conversation: who and what state, the actions on it, labels, the transcript and the composer. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationSummaryDTO, TeamMemberDTO } from '../server/contract/dto.ts';
import { failureText, visitorLabel, visitorLabelVerified } from './format.ts';
import { t } from './i18n.ts';
import type { Inbox } from './inbox.ts';
import type { InboxState } from './inbox-state.ts';
import { HeldReplies } from './held-replies.tsx';
import { ReplyBox } from './reply-box.tsx';
import { Transcript, TypingLine } from './transcript.tsx';

function stateText(conversation: ConversationSummaryDTO): string {
  if (conversation.status === 'queued') return t('queued');
  if (conversation.status === 'resolved') return t('resolved');
  if (conversation.assignee?.bot) return t('heldByBot', { name: conversation.assignee.name });
  return t('assignedTo', { name: conversation.assignee?.name ?? '?' });
}

function Labels({ inbox, conversation }: { inbox: Inbox; conversation: ConversationSummaryDTO }) {
  const [draft, setDraft] = useState('');
  const { labels } = conversation;
  const save = (next: string[]) => void inbox.setLabels(conversation.id, next);
  return (
    <div class="labels">
      <ul aria-label={t('labels')}>
        {labels.map((label) => (
          <li key={label} class="label-chip">
            {label}
            <button type="button" class="chip-remove" aria-label={t('removeLabel', { label })} onClick={() => save(labels.filter((l) => l !== label))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const label = draft.trim().toLowerCase();
          if (label && !labels.includes(label)) save([...labels, label]);
          setDraft('');
        }}
      >
        <input
          class="label-input"
          aria-label={t('addLabel')}
          placeholder={t('addLabelPlaceholder')}
          maxLength={40}
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
      </form>
    </div>
  );
}

function TransferMenu({ inbox, state, conversation, onDone }: { inbox: Inbox; state: InboxState; conversation: ConversationSummaryDTO; onDone(): void }) {
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    void inbox.loadAgents();
    first.current?.focus();
  }, [inbox]);
  const candidates = state.agents.filter((a) => a.active && a.role !== 'bot' && a.id !== conversation.assignee?.id);
  const presence = (a: TeamMemberDTO) => (!a.connected ? t('offline') : t(a.status));
  return (
    <div
      class="menu"
      role="group"
      aria-label={t('transferTo')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onDone();
        }
      }}
    >
      <p class="menu-title">{t('transferTo')}</p>
      {candidates.length === 0 && <p class="empty">{t('noOtherAgents')}</p>}
      <ul>
        {candidates.map((agent, i) => (
          <li key={agent.id}>
            <button
              type="button"
              ref={i === 0 ? first : undefined}
              class={`agent-choice ${agent.connected ? agent.status : 'offline'}`}
              onClick={() => {
                onDone();
                void inbox.transfer(conversation.id, agent.id);
              }}
            >
              <span class="name">{agent.name}</span>
              <span class="agent-load">
                {t('load', { load: agent.load, capacity: agent.capacity })} · {presence(agent)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      <button type="button" class="link" onClick={onDone}>
        {t('cancel')}
      </button>
    </div>
  );
}

export function ConversationPane({ inbox, state }: { inbox: Inbox; state: InboxState }) {
  const { selectedId, failure, me } = state;
  const [transferring, setTransferring] = useState(false);
  useEffect(() => setTransferring(false), [selectedId]);
  const conversation = selectedId ? state.conversations[selectedId] : undefined;
  const thread = selectedId ? state.threads[selectedId] : undefined;
  if (!conversation || !thread) {
    return (
      <div class="pane">
        <p class="placeholder">{t('selectConversation')}</p>
      </div>
    );
  }
  const { id, status } = conversation;
  const mine = conversation.assignee?.id === me.id;
  const admin = me.role === 'admin';
  const outgoing = state.outgoing.filter((reply) => reply.conversationId === id);
  return (
    <div class="pane">
      <header class="pane-header">
        <div class="who">
          <h2>
            {/* bdi: a name written right to left (or with a bidi override) cannot reorder the badge after it. */}
            <bdi>{visitorLabel(conversation)}</bdi>
            {visitorLabelVerified(conversation) && (
              <span class="verified" title={t('verifiedTitle')}>
                {' '}
                ✓
              </span>
            )}
          </h2>
          <p class="state">{stateText(conversation)}</p>
        </div>
        <div class="actions">
          {status === 'queued' && (
            <button type="button" class="primary" onClick={() => void inbox.claim(id)}>
              {t('claim')}
            </button>
          )}
          {/* Any agent may take a conversation over from a bot. */}
          {status === 'active' && conversation.assignee?.bot && (
            <button type="button" class="primary" onClick={() => void inbox.claim(id)}>
              {t('takeOver')}
            </button>
          )}
          {status === 'active' && (mine || admin) && (
            <>
              <button type="button" aria-expanded={transferring} onClick={() => setTransferring(!transferring)}>
                {t('transfer')}
              </button>
              <button type="button" onClick={() => void inbox.unassign(id)}>
                {t('unassign')}
              </button>
            </>
          )}
          {status !== 'resolved' && (status === 'queued' || mine || admin) && (
            <button type="button" class={status === 'active' ? 'primary' : undefined} onClick={() => void inbox.resolve(id)}>
              {t('resolve')}
            </button>
          )}
          {status === 'resolved' && (
            <button type="button" onClick={() => void inbox.reopen(id)}>
              {t('reopen')}
            </button>
          )}
        </div>
      </header>
      {transferring && <TransferMenu inbox={inbox} state={state} conversation={conversation} onDone={() => setTransferring(false)} />}
      <Labels inbox={inbox} conversation={conversation} />
      <HeldReplies inbox={inbox} conversation={conversation} />
      <p class="failure" role="alert">
        {failure && failureText(failure)}
      </p>
      <Transcript
        conversation={conversation}
        thread={thread}
        outgoing={outgoing}
        onLoadOlder={() => void inbox.loadOlder(id)}
        onRetry={(clientId) => inbox.retry(clientId)}
        botIds={new Set(state.agents.filter((a) => a.role === 'bot').map((a) => a.id))}
      />
      <TypingLine thread={thread} visitorName={visitorLabel(conversation)} />
      <ReplyBox key={id} inbox={inbox} conversation={conversation} canReply={status === 'active' && (mine || admin)} />
    </div>
  );
}
