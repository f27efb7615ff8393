/**
 * Visitor text turned into full-text search terms that no query syntax can see. Both databases get the same
 * words: letters and digits only (so FTS5's `"`, `*`, `NEAR`, `-`, `:`, `^` and tsquery's `&|!<->` never reach
 * a parser as operators), lower-cased, common English words dropped (PostgreSQL's english configuration drops
 * them; FTS5 would otherwise match every article on "how do I"), and bounded in length and count.
 */

/** Characters of visitor text looked at: a question, not an essay. */
export const MAX_QUERY_CHARS = 200;
/** Words searched for; more only dilutes the ranking and lengthens the query. */
export const MAX_TERMS = 12;
/** A longer "word" is noise (a pasted token or hash), never an article term. */
const MAX_TERM_CHARS = 40;

// PostgreSQL's english stop words that visitors type most: the two engines must drop the same ones.
const STOP_WORDS = new Set(
  ('a about an and are as at be been but by can could did do does doing for from had has have how i if in into is it its ' +
    'me my no not of on or our so than that the their them then there these they this those to too was we were what when ' +
    'where which who why will with would you your').split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;

export function searchTerms(text: string): string[] {
  const words = text.slice(0, MAX_QUERY_CHARS).normalize('NFKC').toLowerCase().match(WORD) ?? [];
  const terms: string[] = [];
  for (const word of words) {
    if (word.length > MAX_TERM_CHARS || STOP_WORDS.has(word) || terms.includes(word)) continue;
    terms.push(word);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

/** An FTS5 MATCH expression: each term a quoted string (a keyword like NEAR is then just a word), any may match. */
export function fts5Query(terms: string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
}

/** Input for websearch_to_tsquery, which never raises on syntax: the terms joined by its `or`. */
export function websearchQuery(terms: string[]): string {
  return terms.join(' or ');
}
