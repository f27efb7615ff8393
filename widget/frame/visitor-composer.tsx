/**
 * The visitor's message box: text, files picked or pasted, typing events for the agents, and, when the
 * site shows agents the draft, a notice saying so. Before the first message, matching articles are suggested.
 */
import { useCallback, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { AttachmentDTO } from '../../server/contract/dto.ts';
import type { WidgetConfig } from '../../server/contract/http.ts';
import { Composer } from '../../client/composer.tsx';
import type { Translate } from '../../client/i18n.ts';
import { ArticleSuggestions, useArticleSuggestions } from './article-suggestions.tsx';
import { AttachButton, DraftAttachments, useAttachmentDrafts } from './attachments.tsx';
import type { FrameText } from './i18n.ts';
import type { VisitorChat } from './visitor-chat.ts';

interface VisitorComposerProps {
  chat: VisitorChat;
  config: WidgetConfig;
  t: Translate<FrameText>;
  /** More fields inside the form, before the message (the offline form's email). */
  before?: ComponentChildren;
  /** Replaces the plain send (the offline form saves the email first). */
  onSend?(body: string, attachments: AttachmentDTO[]): Promise<void>;
  /** Suggest articles from what is typed: the first message, before a conversation is queued. */
  suggest?: boolean;
}

export function VisitorComposer({ chat, config, t, before, onSend, suggest = false }: VisitorComposerProps) {
  const drafts = useAttachmentDrafts((file) => chat.upload(file), config.attachments, t);
  const [typed, setTyped] = useState('');
  const search = useCallback((query: string) => chat.articles(query), [chat]);
  const articles = useArticleSuggestions(search, typed, suggest);
  const send = (body: string): void | Promise<void> => {
    const attachments = drafts.ready;
    if (!onSend) {
      chat.send(body, attachments);
      return drafts.clear();
    }
    return onSend(body, attachments).then(drafts.clear);
  };
  return (
    <>
      {config.settings.typingPreview && <p class="notice">{t('typingPreviewNotice')}</p>}
      <ArticleSuggestions articles={articles} t={t} />
      <Composer
        label={t('message')}
        placeholder={t('messagePlaceholder')}
        sendLabel={t('send')}
        maxLength={config.maxMessageLength}
        before={
          <>
            {before}
            <DraftAttachments drafts={drafts} t={t} />
          </>
        }
        tools={<AttachButton limits={config.attachments} t={t} onFiles={drafts.add} />}
        allowEmpty={drafts.ready.length > 0}
        disabled={drafts.uploading}
        onDraft={(text) => {
          chat.draft(text);
          setTyped(text);
        }}
        onPaste={(event) => {
          const files = event.clipboardData?.files;
          if (!files?.length) return;
          event.preventDefault();
          drafts.add(files);
        }}
        onSend={send}
      />
    </>
  );
}
