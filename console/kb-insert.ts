/**
 * The composer's `/kb words`: published articles of the conversation's site matching the words, searched on the
 * server (debounced while the agent types), offered like canned responses; choosing one inserts its title and link.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ArticleSuggestionDTO } from '../server/contract/knowledge-base.ts';
import type { Inbox } from './inbox.ts';

const DEBOUNCE_MS = 250;

/** The `/kb words` being typed just before the caret, if any. */
export function kbQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)\/kb\s+([^\n/]{1,100})$/.exec(text.slice(0, caret));
  return match ? { start: caret - match[0].length + match[1]!.length, query: match[2]!.trim() } : null;
}

/** What choosing an article inserts. */
export const articleLink = (article: ArticleSuggestionDTO) => `${article.title}: ${article.url}`;

export function useArticleSuggestions(inbox: Inbox, siteId: string, query: string | null): ArticleSuggestionDTO[] {
  const [found, setFound] = useState<ArticleSuggestionDTO[]>([]);
  useEffect(() => {
    if (!query) {
      setFound([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      inbox.articles(siteId, query).then((list) => live && setFound(list), () => live && setFound([]));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [inbox, siteId, query]);
  return found;
}
