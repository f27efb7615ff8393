/** Keyboard shortcuts, and the dialog `?` opens to list them. */
import { useEffect, useRef } from 'preact/hooks';
import { t, type ConsoleText } from './i18n.ts';

export const SHORTCUTS: [keys: string[], what: ConsoleText][] = [
  [['j', 'Alt + ↓'], 'shortcutNext'],
  [['k', 'Alt + ↑'], 'shortcutPrevious'],
  [['r'], 'shortcutReply'],
  [['Esc'], 'shortcutLeaveReply'],
  [['e'], 'shortcutResolve'],
  [['n'], 'shortcutClaimNext'],
  [['/'], 'shortcutSearch'],
  [['x'], 'shortcutCloseTab'],
  [['?'], 'shortcutHelp'],
];

export interface ShortcutActions {
  next(): void;
  previous(): void;
  focusReply(): void;
  resolve(): void;
  claimNext(): void;
  focusSearch(): void;
  closeTab(): void;
  help(): void;
}

function typingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** Listens on the window while mounted. Single keys only act when no text field has the focus. */
export function useShortcuts(actions: ShortcutActions, enabled: boolean): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey) return;
      const a = ref.current;
      if (e.altKey && !e.shiftKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        return e.key === 'ArrowDown' ? a.next() : a.previous();
      }
      if (e.altKey || typingTarget(e.target) || document.querySelector('dialog[open]')) return;
      const run: Record<string, (() => void) | undefined> = {
        j: a.next,
        k: a.previous,
        r: a.focusReply,
        e: a.resolve,
        n: a.claimNext,
        '/': a.focusSearch,
        x: a.closeTab,
        '?': a.help,
      };
      const action = run[e.key];
      if (action) {
        e.preventDefault();
        action();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog ref={dialog} class="shortcut-help" aria-labelledby="shortcut-help-title" onClose={onClose}>
      <h2 id="shortcut-help-title">{t('keyboardShortcuts')}</h2>
      <table>
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={what}>
              <td>
                {keys.map((k, i) => (
                  <>
                    {i > 0 && ` ${t('or')} `}
                    <kbd>{k}</kbd>
                  </>
                ))}
              </td>
              <td>{t(what)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit" autofocus>
          {t('close')}
        </button>
      </form>
    </dialog>
  );
}
