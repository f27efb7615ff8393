/**
 * The model cites articles by the numbers the prompt gave them ([1], [2, 3], [Article 2]). Here those numbers
 * become the reply's citations, numbered again in the order the reply first cites them so the text's markers
 * match the list the visitor sees; a number that names no article given is dropped from the text.
 *
 * A reply that cites nothing gets no citations: a citation tells the visitor "this article says so", and only
 * the model knows which article it used. Citing every retrieved article instead would send the visitor to pages
 * that may not say it; a greeting or a question back rightly cites nothing, and the evaluation counts answers
 * that miss the expected article.
 */
import type { ArticleHit, BotCitation } from '../ports.ts';

const MARKER = /\s?\[\s*((?:article\s*)?\d+(?:\s*[,;]\s*(?:article\s*)?\d+)*)\s*\]/gi;

export interface CitedText {
  text: string;
  citations: BotCitation[];
}

export function mapCitations(text: string, articles: readonly ArticleHit[]): CitedText {
  const cited: ArticleHit[] = [];
  const mapped = text.replace(MARKER, (marker, list: string) => {
    const numbers = list.split(/[,;]/).map((part) => Number(part.replace(/article/i, '').trim()));
    const renumbered = new Set<number>();
    for (const number of numbers) {
      const article = articles[number - 1];
      if (!Number.isInteger(number) || !article) continue;
      if (!cited.includes(article)) cited.push(article);
      renumbered.add(cited.indexOf(article) + 1);
    }
    if (renumbered.size === 0) return '';
    const leading = marker.startsWith('[') ? '' : marker[0]!;
    return `${leading}[${[...renumbered].join(', ')}]`;
  });
  return { text: mapped, citations: cited.map((article) => ({ articleId: article.id, title: article.title, url: article.url })) };
}

/** The text without its citation markers: an earlier reply's numbers named other articles than this turn's. */
export function withoutMarkers(text: string): string {
  return text.replace(MARKER, '');
}
