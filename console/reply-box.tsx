/**
 * The agent's composer: Enter sends, Shift+Enter adds a line; "Private note" turns the message into a
 * note only agents see (shown in its own colour); typing `/` and a shortcut offers canned responses, and
 * `/kb words` knowledge-base articles (arrows to choose, Enter or Tab to insert, Escape to dismiss); files can be attached. Drafts are kept
 * per conversation while the console is open.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CannedResponseDTO, ConversationSummaryDTO } from '../server/contract/dto.ts';
import type { MAX_MESSAGE_LENGTH } from '../server/contract/events.ts';
import { failureText } from './format.ts';
import { t } from './i18n.ts';
import type { Inbox } from './inbox.ts';
import { articleLink, kbQuery, useArticleSuggestions } from './kb-insert.ts';
import { Icon } from '../client/icons.tsx';
import { AckError } from '../client/request.ts';

// Typed against the contract's constant, so a change there fails the type check here.
const maxMessageLength: typeof MAX_MESSAGE_LENGTH = 5000;
export const COMPOSER_ID = 'composer';

const drafts = new Map<string, { text: string; note: boolean }>();

/** The `/word` being typed just before the caret, if any. */
function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)\/([\w-]{0,32})$/.exec(text.slice(0, caret));
  return match ? { start: caret - match[2]!.length - 1, query: match[2]!.toLowerCase() } : null;
}

/** One line of the list under the composer: a canned response or a knowledge-base article. */
interface Choice {
  id: string;
  label: string;
  title: string;
  detail: string;
  text: string;
}

function matches(canned: CannedResponseDTO[], query: string): Choice[] {
  const starts = canned.filter((c) => c.shortcut.startsWith(query));
  const contains = canned.filter((c) => !c.shortcut.startsWith(query) && (c.shortcut.includes(query) || c.title.toLowerCase().includes(query)));
  return [...starts, ...contains].slice(0, 8).map((c) => ({ id: c.id, label: `/${c.shortcut}`, title: c.title, detail: c.body, text: c.body }));
}

interface Pending {
  key: string;
  name: string;
  id: string | null;
  error: string | null;
}

interface ReplyBoxProps {
  inbox: Inbox;
  conversation: ConversationSummaryDTO;
  /** Replies need the conversation to be active and mine (or me an admin); notes can always be added. */
  canReply: boolean;
}

export function ReplyBox({ inbox, conversation, canReply }: ReplyBoxProps) {
  const id = conversation.id;
  const saved = drafts.get(id);
  const [text, setText] = useState(saved?.text ?? '');
  // The agent's choice; without the right to reply, everything written is a note.
  const [noteChosen, setNote] = useState(saved?.note ?? false);
  const note = noteChosen || !canReply;
  const [canned, setCanned] = useState<CannedResponseDTO[]>([]);
  const [slash, setSlash] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);
  const [files, setFiles] = useState<Pending[]>([]);
  const textbox = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const resolved = conversation.status === 'resolved';

  useEffect(() => {
    let live = true;
    inbox.canned(conversation.siteId).then((list) => live && setCanned(list), () => undefined);
    return () => {
      live = false;
    };
  }, [inbox, conversation.siteId]);
  useEffect(() => {
    drafts.set(id, { text, note: noteChosen });
  }, [id, text, noteChosen]);

  const [kb, setKb] = useState<{ start: number; query: string } | null>(null);
  const articles = useArticleSuggestions(conversation.siteId, kb?.query ?? null);
  const options = useMemo<Choice[]>(() => {
    if (kb) return articles.map((a) => ({ id: a.id, label: '/kb', title: a.title, detail: a.url, text: articleLink(a) }));
    return slash ? matches(canned, slash.query) : [];
  }, [slash, canned, kb, articles]);
  const at = kb ?? slash;
  const listOpen = at !== null && options.length > 0;
  const listId = `canned-${id}`;

  const update = (value: string, caret: number): void => {
    setText(value);
    setSlash(slashQuery(value, caret));
    setKb(kbQuery(value, caret));
    setActive(0);
    if (!note) inbox.draft(id, value);
  };

  const dismiss = (): void => {
    setSlash(null);
    setKb(null);
  };

  const insert = (choice: Choice): void => {
    if (!at) return;
    const caret = textbox.current?.selectionStart ?? text.length;
    const value = text.slice(0, at.start) + choice.text + text.slice(caret);
    setText(value);
    dismiss();
    const end = at.start + choice.text.length;
    requestAnimationFrame(() => {
      textbox.current?.focus();
      textbox.current?.setSelectionRange(end, end);
    });
  };

  const attach = async (list: FileList | null): Promise<void> => {
    for (const file of Array.from(list ?? [])) {
      const key = `${file.name}-${Math.random()}`;
      setFiles((current) => [...current, { key, name: file.name, id: null, error: null }]);
      try {
        const attachmentId = await inbox.upload(id, file);
        setFiles((current) => current.map((f) => (f.key === key ? { ...f, id: attachmentId } : f)));
      } catch (error) {
        const code = error instanceof AckError ? error.code : 'INTERNAL';
        setFiles((current) => current.map((f) => (f.key === key ? { ...f, error: failureText(code) } : f)));
      }
    }
    if (fileInput.current) fileInput.current.value = '';
  };

  const ready = files.filter((f) => f.id).map((f) => f.id!);
  const uploading = files.some((f) => !f.id && !f.error);
  const submit = (event: Event): void => {
    event.preventDefault();
    const body = text.trim();
    if ((!body && ready.length === 0) || uploading) return;
    if (!note && !canReply) return;
    inbox.reply(id, body, { note, attachmentIds: ready });
    setText('');
    setFiles([]);
    dismiss();
  };

  return (
    <form class={`composer${note ? ' composing-note' : ''}`} onSubmit={submit}>
      {listOpen && (
        <ul class="canned-list" id={listId} role="listbox" aria-label={kb ? t('kbInsertTitle') : t('cannedResponses')}>
          {options.map((option, i) => (
            <li
              key={option.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault();
                insert(option);
              }}
            >
              <span class="shortcut">{option.label}</span> <span class="title">{option.title}</span>
              <span class="canned-body">{option.detail}</span>
            </li>
          ))}
        </ul>
      )}
      {files.length > 0 && (
        <ul class="pending-files">
          {files.map((f) => (
            <li key={f.key} class={f.error ? 'failed' : f.id ? 'ready' : 'uploading'}>
              <Icon name="paperclip" /> {f.name} {f.error ? `— ${f.error}` : f.id ? '' : `— ${t('uploading')}`}
              <button type="button" class="link" aria-label={t('removeFile', { name: f.name })} onClick={() => setFiles(files.filter((x) => x.key !== f.key))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="composer-row">
        <textarea
          id={COMPOSER_ID}
          ref={textbox}
          aria-label={note ? t('noteLabel') : t('reply')}
          aria-describedby={note ? `${listId}-hint` : undefined}
          aria-autocomplete="list"
          // A textbox may not say aria-expanded (a textarea cannot be a combobox): the controlled list says it is there.
          aria-controls={listOpen ? listId : undefined}
          aria-activedescendant={listOpen ? `${listId}-${active}` : undefined}
          rows={2}
          maxLength={maxMessageLength}
          placeholder={note ? t('notePlaceholder') : t('replyPlaceholder')}
          value={text}
          onInput={(e) => update(e.currentTarget.value, e.currentTarget.selectionStart)}
          onBlur={() => inbox.draft(id, '')}
          onKeyDown={(event) => {
            if (listOpen) {
              if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                event.preventDefault();
                const step = event.key === 'ArrowDown' ? 1 : -1;
                setActive((active + step + options.length) % options.length);
                return;
              }
              if ((event.key === 'Enter' || event.key === 'Tab') && !event.isComposing) {
                event.preventDefault();
                insert(options[active]!);
                return;
              }
              if (event.key === 'Escape') {
                event.preventDefault();
                event.stopPropagation();
                dismiss();
                return;
              }
            }
            if (event.key === 'Escape') {
              textbox.current?.blur();
              return;
            }
            // isComposing: Enter also confirms a candidate in Chinese and Japanese input methods.
            if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && !event.altKey) submit(event);
          }}
        />
        <div class="composer-actions">
          <label class={`note-toggle${canReply ? '' : ' forced'}`}>
            <input type="checkbox" checked={note} disabled={!canReply} onChange={(e) => setNote(e.currentTarget.checked)} />
            {t('privateNote')}
          </label>
          <input ref={fileInput} type="file" multiple class="visually-hidden" tabIndex={-1} aria-hidden="true" onChange={(e) => void attach(e.currentTarget.files)} />
          <button type="button" class="secondary" onClick={() => fileInput.current?.click()}>
            {t('attachFile')}
          </button>
          <button type="submit" class={note ? 'note-submit' : undefined} disabled={uploading}>
            {note ? t('addNote') : t('send')}
          </button>
        </div>
      </div>
      {note && (
        <p class="composer-hint" id={`${listId}-hint`}>
          {resolved || !canReply ? t('noteOnlyHint') : t('noteHint')}
        </p>
      )}
    </form>
  );
}
