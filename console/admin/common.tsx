/** Small pieces the admin screens share: loading state, error text, copy to clipboard. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { failureText } from '../format.ts';
import { t } from '../i18n.ts';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, reload };
}

/** The server's own message for validation errors (they name the field), our wording for the rest. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.code === 'BAD_REQUEST' || error.code === 'CONFLICT' ? error.message : failureText(error.code);
  return t('actionFailed', { code: 'INTERNAL' });
}

/** A list's row actions: each runs, reports `done` in the status line (or the failure in the error line) and reloads the list. */
export function useRowActions(reload: () => void) {
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = (run: () => Promise<unknown>, done: string) => async () => {
    setError(null);
    try {
      await run();
      setStatus(done);
      reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return { status, setStatus, error, act };
}

export function ErrorLine({ error }: { error: string | null }) {
  return (
    <p class="failure" role="alert">
      {error}
    </p>
  );
}

export function Status({ text }: { text: string | null }) {
  return (
    <p class="saved" role="status">
      {text}
    </p>
  );
}

export async function copyText(text: string, fallback: HTMLTextAreaElement | HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Plain-http self-hosting has no clipboard API: select the text so Ctrl+C works.
    fallback?.focus();
    fallback?.select();
    return false;
  }
}

export function AdminPage({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <main class="admin">
      <header class="admin-header">
        <h1>{title}</h1>
        {actions}
      </header>
      {children}
    </main>
  );
}

/** An id for a hint, and the hint itself: the field names the hint with aria-describedby, so its label stays short. */
export function useHint(): [string, (props: { text: string }) => preact.JSX.Element] {
  const id = useId();
  return [id, ({ text }) => <small class="hint" id={id}>{text}</small>];
}

/** An admin list: a captioned table of `columns`, then a last column for each row's actions. */
export function AdminTable({ caption, columns, children }: { caption: string; columns: string[]; children: ComponentChildren }) {
  return (
    <table class="admin-table">
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
          <th scope="col">
            <span class="visually-hidden">{t('actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A row's action button; screen readers hear which row it acts on ("Edit Ada"), the eye sees just "Edit". */
export function RowAction(props: { label: string; subject: string; onClick(): void; danger?: boolean; expanded?: boolean }) {
  return (
    <button type="button" class={props.danger ? 'danger' : undefined} onClick={props.onClick} aria-expanded={props.expanded}>
      {props.label}
      <span class="visually-hidden"> {props.subject}</span>
    </button>
  );
}

/** A site picker whose empty choice means every site. */
export function SiteSelect({ sites, value, onChange }: { sites: readonly { id: string; name: string }[]; value: string; onChange: (siteId: string) => void }) {
  return (
    <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value="">{t('allSites')}</option>
      {sites.map((site) => (
        <option key={site.id} value={site.id}>
          {site.name}
        </option>
      ))}
    </select>
  );
}

/** A form's submit button, and Cancel while editing an existing item. */
export function FormActions({ submitLabel, onCancel, busy }: { submitLabel: string; onCancel?: () => void; busy?: boolean }) {
  return (
    <div class="form-actions">
      <button type="submit" class="primary" disabled={busy}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      )}
    </div>
  );
}
