/**
 * The composer's `/kb words`: published articles of the conversation's site matching the words, searched on the
 * server (debounced while the agent types), offered like canned responses; choosing one inserts its title and link.
 */
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ArticleSuggestionDTO } from '../server/contract/knowledge-base.ts';
import { AdminApi } from './api.ts';
import type { AgentAuth } from './auth.ts';

const DEBOUNCE_MS = 250;

/** The `/kb words` being typed just before the caret, if any. */
export function kbQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)\/kb\s+([^\n/]{1,100})$/.exec(text.slice(0, caret));
  return match ? { start: caret - match[0].length + match[1]!.length, query: match[2]!.trim() } : null;
}

/** What choosing an article inserts. */
export const articleLink = (article: ArticleSuggestionDTO) => `${article.title}: ${article.url}`;

export type ArticleLookup = (siteId: string, query: string) => Promise<ArticleSuggestionDTO[]>;

/** Published articles of a site matching `query`, searched on the server with the agent's token (GET /api/kb/suggest). */
export function articleLookup(auth: AgentAuth): ArticleLookup {
  const api = new AdminApi(auth, '/api/kb');
  return (siteId, query) => api.get(`/suggest?${new URLSearchParams({ siteId, q: query, limit: '6' })}`);
}

/** Provided by the signed-in workspace; the composer reads it. */
export const ArticleLookupContext = createContext<ArticleLookup | null>(null);

export function useArticleSuggestions(siteId: string, query: string | null): ArticleSuggestionDTO[] {
  const lookup = useContext(ArticleLookupContext);
  const [found, setFound] = useState<ArticleSuggestionDTO[]>([]);
  useEffect(() => {
    if (!query || !lookup) {
      setFound([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      lookup(siteId, query).then((list) => live && setFound(list), () => live && setFound([]));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [lookup, siteId, query]);
  return found;
}
