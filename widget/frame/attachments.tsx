/**
 * Attachments: the files of a sent message (image previews, download links), and the files the visitor
 * is about to send (picked or pasted, checked against the site's limits, uploaded at once).
 */
import { useRef, useState } from 'preact/hooks';
import type { AttachmentDTO } from '../../server/contract/dto.ts';
import type { AttachmentLimits } from '../../server/contract/http.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE } from '../../server/contract/events.ts';
import type { Translate } from '../../client/i18n.ts';
import { Icon } from '../../client/icons.tsx';
import type { FrameText } from './i18n.ts';
import { refusal } from '../../client/uploads.ts';

export function formatSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Download links come from the chat server: same-origin paths or absolute http(s) URLs, nothing else. */
function fileUrl(link: string): string | null {
  const url = new URL(link, location.origin);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
}

export function AttachmentList({ attachments }: { attachments: readonly AttachmentDTO[] }) {
  if (attachments.length === 0) return null;
  return (
    <ul class="attachments">
      {attachments.map((file) => {
        const url = fileUrl(file.url);
        if (!url) return null;
        return (
          <li key={file.id}>
            <a href={url} download={file.fileName} target="_blank" rel="noopener noreferrer">
              {file.image ? (
                <img src={url} alt={file.fileName} loading="lazy" />
              ) : (
                <span>
                  <Icon name="file" /> {file.fileName}
                </span>
              )}
              <span class="size">{formatSize(file.size)}</span>
            </a>
          </li>
        );
      })}
    </ul>
  );
}

interface Draft {
  key: number;
  file: File;
  status: 'uploading' | 'ready' | 'failed';
  attachment: AttachmentDTO | null;
  /** Why it can't go: a refusal before upload, or the upload's failure. */
  problem: string | null;
}

export interface AttachmentDrafts {
  drafts: Draft[];
  /** Uploaded and ready to send with the next message. */
  ready: AttachmentDTO[];
  uploading: boolean;
  add(files: Iterable<File>): void;
  remove(key: number): void;
  clear(): void;
}

let nextKey = 0;

export function useAttachmentDrafts(upload: (file: File) => Promise<AttachmentDTO>, limits: AttachmentLimits, t: Translate<FrameText>): AttachmentDrafts {
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const change = (key: number, patch: Partial<Draft>): void => setDrafts((all) => all.map((d) => (d.key === key ? { ...d, ...patch } : d)));
  return {
    drafts,
    ready: drafts.flatMap((d) => (d.attachment ? [d.attachment] : [])),
    uploading: drafts.some((d) => d.status === 'uploading'),
    add(files) {
      const room = MAX_ATTACHMENTS_PER_MESSAGE - drafts.filter((d) => d.status !== 'failed').length;
      for (const file of Array.from(files).slice(0, Math.max(0, room))) {
        const key = nextKey++;
        const refused = refusal(file, limits);
        const problem = refused && t(refused, { size: formatSize(limits.maxBytes) });
        setDrafts((all) => [...all, { key, file, status: refused ? 'failed' : 'uploading', attachment: null, problem }]);
        if (refused) continue;
        upload(file).then(
          (attachment) => change(key, { status: 'ready', attachment }),
          () => change(key, { status: 'failed', problem: t('uploadFailed') }),
        );
      }
    },
    remove: (key) => setDrafts((all) => all.filter((d) => d.key !== key)),
    clear: () => setDrafts([]),
  };
}

export function DraftAttachments({ drafts, t }: { drafts: AttachmentDrafts; t: Translate<FrameText> }) {
  if (drafts.drafts.length === 0) return null;
  return (
    <ul class="drafts" aria-live="polite">
      {drafts.drafts.map((draft) => (
        <li key={draft.key} class={draft.status}>
          <span class="name">{draft.file.name}</span>
          <span class="state">{draft.problem ?? (draft.status === 'uploading' ? t('uploading') : formatSize(draft.file.size))}</span>
          <button type="button" class="icon" aria-label={t('removeAttachment', { name: draft.file.name })} onClick={() => drafts.remove(draft.key)}>
            <Icon name="close" />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A button that opens the file picker (a hidden file input), offering the site's accepted types. */
export function AttachButton({ limits, t, onFiles }: { limits: AttachmentLimits; t: Translate<FrameText>; onFiles(files: FileList): void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" class="icon attach" aria-label={t('attach')} onClick={() => input.current?.click()}>
        <Icon name="paperclip" />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={limits.types.join(',')}
        onChange={(event) => {
          const { files } = event.currentTarget;
          if (files?.length) onFiles(files);
          event.currentTarget.value = '';
        }}
      />
    </>
  );
}
