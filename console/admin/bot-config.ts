/** A rule bot's rules as the console edits them: one per line, "keywords => answer" or "/pattern/ => answer"; "canned:ID" as the answer names a canned response. */
import type { BotRule } from '../../server/contract/bots.ts';

const ARROW = ' => ';

export function rulesToText(rules: readonly BotRule[]): string {
  return rules
    .map((r) => `${r.type === 'regex' ? `/${r.match}/` : r.match}${ARROW}${r.cannedId ? `canned:${r.cannedId}` : (r.answer ?? '')}`)
    .join('\n');
}

/** The rules of the text, or the number (1-based) of the first line that is not a rule. */
export function textToRules(text: string): { rules: BotRule[] } | { badLine: number } {
  const rules: BotRule[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const at = line.indexOf(ARROW);
    if (at <= 0) return { badLine: i + 1 };
    const match = line.slice(0, at).trim();
    const answer = line.slice(at + ARROW.length).trim();
    if (!match || !answer) return { badLine: i + 1 };
    const regex = match.length > 2 && match.startsWith('/') && match.endsWith('/');
    const canned = /^canned:([A-Za-z0-9_-]+)$/.exec(answer);
    rules.push({ type: regex ? 'regex' : 'keyword', match: regex ? match.slice(1, -1) : match, ...(canned ? { cannedId: canned[1]! } : { answer }) });
  }
  return { rules };
}
