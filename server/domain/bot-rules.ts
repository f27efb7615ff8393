/**
 * A rule bot's matching: keywords, or regular expressions from a safe subset. Pure.
 *
 * JavaScript's backtracking engine can take exponential time on patterns like (a+)+ or (a|a)* (ReDoS), and no
 * kept library here offers a linear engine, so a pattern is accepted only when its cost is bounded: a quantifier
 * (*, +, {n,m}) applies to a single atom (a character, an escape, a class or .), never to a group; no
 * backreferences or lookarounds; at most MAX_REPEATS such quantifiers (? is free: it doubles, never multiplies by
 * the text's length); MAX_PATTERN characters. It is matched against the first MAX_TEXT characters of the message,
 * so the worst case is about MAX_TEXT^(MAX_REPEATS + 1) steps, well under a millisecond's budget for these sizes.
 */
export const MAX_PATTERN = 200;
export const MAX_REPEATS = 2;
export const MAX_TEXT = 500;

export interface MatchRule {
  type: 'keyword' | 'regex';
  match: string;
}

/** Why a regex rule is refused, or null when it is in the safe subset. */
export function unsafePattern(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN) return `must be 1 to ${MAX_PATTERN} characters`;
  try {
    new RegExp(pattern, 'iu');
  } catch {
    return 'is not a valid regular expression';
  }
  let repeats = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'must not use backreferences';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && pattern[i + 1] === '?' && /[=!<]/.test(pattern[i + 2] ?? '') && !(pattern[i + 2] === '<' && /[A-Za-z]/.test(pattern[i + 3] ?? ''))) {
      return 'must not use lookarounds';
    } else if (c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)))) {
      if (pattern[i - 1] === ')') return 'must not repeat a group (quantifiers apply to single characters or classes only)';
      repeats++;
    }
  }
  return repeats > MAX_REPEATS ? `must have at most ${MAX_REPEATS} repetitions (*, +, {n,m})` : null;
}

const words = (text: string): string[] => text.toLocaleLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

export type CompiledRule = (text: string) => boolean;

/** Keyword: every word of `match` appears as a word of the message, any order, any case. */
export function compileRule(rule: MatchRule): CompiledRule {
  if (rule.type === 'keyword') {
    const wanted = words(rule.match);
    return (text) => {
      const have = new Set(words(text.slice(0, MAX_TEXT)));
      return wanted.length > 0 && wanted.every((w) => have.has(w));
    };
  }
  if (unsafePattern(rule.match)) return () => false; // refused on save; a stored one that is not is never run
  const re = new RegExp(rule.match, 'iu');
  return (text) => re.test(text.slice(0, MAX_TEXT));
}

/** The index of the first rule the message matches, or -1. */
export function firstMatch(rules: readonly CompiledRule[], text: string): number {
  return rules.findIndex((matches) => matches(text));
}
