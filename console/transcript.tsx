/**
 * A conversation's messages as a live log: load-older on top, visitor messages on the left, agents' on the
 * right, private notes in their own colour and marked, system lines centred. Each of my replies shows
 * sending, sent or read (by the visitor), or failed with a retry. Text is rendered as nodes, never as HTML.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { AttachmentDTO, ConversationSummaryDTO, MessageDTO } from '../server/contract/dto.ts';
import { Icon } from '../client/icons.tsx';
import { RichText } from '../client/rich-text.tsx';
import { failureText, formatBytes, systemText, timeFormat } from './format.ts';
import { t } from './i18n.ts';
import type { OutgoingReply, Thread } from './inbox-state.ts';

function Attachments({ attachments }: { attachments: AttachmentDTO[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul class="attachments">
      {attachments.map((a) => (
        <li key={a.id}>
          {a.image ? (
            <a href={a.url} target="_blank" rel="noopener noreferrer" title={a.fileName}>
              <img src={a.url} alt={a.fileName} loading="lazy" />
            </a>
          ) : (
            <a href={a.url} target="_blank" rel="noopener noreferrer" download={a.fileName}>
              <Icon name="paperclip" /> {a.fileName} <span class="size">({formatBytes(a.size)})</span>
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

function Message({ message, visitorReadSeq, bot }: { message: MessageDTO; visitorReadSeq: number; bot: boolean }) {
  if (message.system) return <li class="system">{systemText(message.system)}</li>;
  const { authorKind } = message;
  const author =
    authorKind === 'note'
      ? t('noteBy', { name: message.authorName ?? '' })
      : authorKind === 'visitor'
        ? (message.authorName ?? t('visitorAuthor'))
        : (message.authorName ?? '');
  return (
    <li class={`message ${authorKind}${bot ? ' bot' : ''}`} data-seq={message.seq}>
      <span class="author">
        {authorKind === 'note' && <Icon name="lock" />}
        {author}
        {bot && <span class="bot-badge">{t('botBadge')}</span>}
      </span>
      {message.body && (
        <p class="body">
          <RichText text={message.body} />
        </p>
      )}
      <Attachments attachments={message.attachments} />
      <span class="meta">
        <time dateTime={message.createdAt}>{timeFormat.format(new Date(message.createdAt))}</time>
        {authorKind === 'agent' && <span class="state">{` · ${message.seq <= visitorReadSeq ? t('read') : t('sent')}`}</span>}
        {authorKind === 'note' && <span class="state">{` · ${t('noteHidden')}`}</span>}
      </span>
    </li>
  );
}

function Outgoing({ reply, onRetry }: { reply: OutgoingReply; onRetry(clientId: string): void }) {
  const failed = reply.status === 'failed';
  return (
    <li class={`message ${reply.note ? 'note' : 'agent'} ${reply.status}`}>
      <p class="body">{reply.body}</p>
      <span class="meta">
        {failed ? `${t('failed')}: ${failureText(reply.error ?? 'INTERNAL')}` : t('sending')}
        {failed && (
          <button type="button" class="link" onClick={() => onRetry(reply.clientId)}>
            {t('retry')}
          </button>
        )}
      </span>
    </li>
  );
}

interface TranscriptProps {
  conversation: ConversationSummaryDTO;
  thread: Thread;
  outgoing: OutgoingReply[];
  onLoadOlder(): void;
  onRetry(clientId: string): void;
  /** Agent ids of bots: their messages are marked as a bot's. */
  botIds: ReadonlySet<string>;
}

export function Transcript({ conversation, thread, outgoing, onLoadOlder, onRetry, botIds }: TranscriptProps) {
  const log = useRef<HTMLDivElement>(null);
  const { messages } = thread;
  const first = messages[0]?.seq;
  const previousFirst = useRef(first);
  const previousHeight = useRef(0);
  const pinned = useRef(true);
  // Newest in view while the agent is at the bottom; after loading older, keep what was on screen still.
  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    if (first !== previousFirst.current && previousHeight.current > 0 && !pinned.current) {
      el.scrollTop += el.scrollHeight - previousHeight.current;
    } else if (pinned.current) el.scrollTop = el.scrollHeight;
    previousFirst.current = first;
    previousHeight.current = el.scrollHeight;
  }, [messages, outgoing.length, thread.visitorTyping]);
  return (
    <div
      class="transcript"
      role="log"
      aria-label={t('transcript')}
      tabIndex={0}
      ref={log}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        previousHeight.current = el.scrollHeight;
      }}
    >
      {thread.hasOlder && (
        <p class="older">
          <button type="button" class="link" disabled={thread.loadingOlder} onClick={onLoadOlder}>
            {thread.loadingOlder ? t('loading') : t('loadOlder')}
          </button>
        </p>
      )}
      <ol>
        {messages.map((message) => (
          <Message key={message.id} message={message} visitorReadSeq={conversation.visitorReadSeq} bot={message.authorKind === 'agent' && botIds.has(message.authorId ?? '')} />
        ))}
        {outgoing.map((reply) => (
          <Outgoing key={reply.clientId} reply={reply} onRetry={onRetry} />
        ))}
      </ol>
    </div>
  );
}

/** "Visitor is typing…", with the draft when the site shares it; other agents typing too. */
export function TypingLine({ thread, visitorName }: { thread: Thread; visitorName: string }) {
  const { visitorTyping, agentsTyping } = thread;
  return (
    <div class="typing-line" aria-live="polite">
      {visitorTyping && (
        <p class="typing">
          {t('isTyping', { name: visitorName })}
          {visitorTyping.preview && (
            <span class="preview-draft" title={t('draftPreview')}>
              {' '}
              “{visitorTyping.preview}”
            </span>
          )}
        </p>
      )}
      {agentsTyping.length > 0 && <p class="typing">{t('isTyping', { name: agentsTyping.join(', ') })}</p>}
    </div>
  );
}
