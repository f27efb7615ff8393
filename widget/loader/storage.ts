/**
 * The widget's state in the host page's localStorage, one namespace per site. The host's storage is
 * first-party, so the visitor keeps their identity where the frame's own storage would be partitioned.
 */
type Entry = 'token' | 'conversation' | 'muted';

export interface SiteStorage {
  get(entry: Entry): string | null;
  /** `null` removes the entry. */
  set(entry: Entry, value: string | null): void;
}

export function siteStorage(siteKey: string): SiteStorage {
  const key = (entry: Entry): string => `parley:${siteKey}:${entry}`;
  // Storage can be disabled or full: the widget then works for this page view only.
  return {
    get(entry) {
      try {
        return localStorage.getItem(key(entry));
      } catch {
        return null;
      }
    },
    set(entry, value) {
      try {
        if (value === null) localStorage.removeItem(key(entry));
        else localStorage.setItem(key(entry), value);
      } catch {}
    },
  };
}
