/**
 * While the visitor writes their first message, before a conversation exists, the site's published articles that
 * match it: a list of links (each opens the article in a new tab), searched on the server after a pause in typing.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ArticleSuggestionDTO } from '../../server/contract/knowledge-base.ts';
import type { Translate } from '../../client/i18n.ts';
import type { FrameText } from './i18n.ts';
import type { VisitorChatState } from './visitor-state.ts';

const DEBOUNCE_MS = 300;
/** Fewer characters say too little to search on. */
const MIN_CHARS = 3;

/** Suggestions are for the first message: nothing sent yet, no conversation on screen. */
export const beforeFirstMessage = (state: VisitorChatState): boolean => !state.conversation && state.outgoing.length === 0;

export function useArticleSuggestions(search: (query: string) => Promise<ArticleSuggestionDTO[]>, text: string, enabled: boolean): ArticleSuggestionDTO[] {
  const [found, setFound] = useState<ArticleSuggestionDTO[]>([]);
  const query = enabled ? text.trim() : '';
  useEffect(() => {
    if (query.length < MIN_CHARS) {
      setFound([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      search(query).then((list) => live && setFound(list), () => live && setFound([]));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [search, query]);
  return found;
}

export function ArticleSuggestions({ articles, t }: { articles: ArticleSuggestionDTO[]; t: Translate<FrameText> }) {
  return (
    <section class="suggestions" aria-labelledby="suggestions-title" aria-live="polite" hidden={articles.length === 0}>
      <h2 id="suggestions-title">{t('suggestedArticles')}</h2>
      <ul>
        {articles.map((article) => (
          <li key={article.id}>
            <a href={article.url} target="_blank" rel="noopener noreferrer" dir="auto">
              {article.title}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
