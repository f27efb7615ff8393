/**
 * The new text of an email reply: what the visitor wrote above the quoted conversation. Pure, so it is tested
 * over real mail clients' layouts (tests/unit/server/reply-text.test.ts). No kept library does this for
 * JavaScript (the known ones, email-reply-parser and talon, are Ruby/Python or unmaintained ports), so the
 * markers are listed here:
 * - a quote header: Gmail and Apple Mail "On <date>, <name> wrote:" (possibly wrapped over two lines), and the
 *   same in a few other languages;
 * - an Outlook reply header: "-----Original Message-----", or a "From:" line followed by "Sent:"/"Date:";
 * - a signature after "-- " (RFC 3676) and a trailing "Sent from my …" line;
 * - `>`-quoted lines anywhere.
 */

const QUOTE_HEADER = [
  /^On\b.*\bwrote:\s*$/i,
  /^Le\b.*\ba écrit\s*:\s*$/i,
  /^Am\b.*\bschrieb\b.*:\s*$/i,
  /^El\b.*\bescribió:\s*$/i,
  /^在.*写道[:：]\s*$/,
];
const QUOTE_HEADER_START = /^(On|Le|Am|El)\s/i;
const OUTLOOK_SEPARATOR = /^\s*(-{2,}\s*Original Message\s*-{2,}|_{20,})\s*$/i;
const OUTLOOK_FROM = /^\*?From:\*?\s/i;
const OUTLOOK_SENT = /^\*?(Sent|Date):\*?\s/i;
const SIGNATURE = /^--\s?$/;
const MOBILE_FOOTER = /^Sent from my \S.*$/i;
/** How many lines after "From:" an Outlook header's "Sent:" may come (To and Cc may be in between). */
const OUTLOOK_HEADER_SPAN = 4;

export function replyText(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const end = quoteStart(lines);
  const kept = lines.slice(0, end).filter((line) => !line.startsWith('>'));
  while (kept.length > 0 && (kept.at(-1)!.trim() === '' || MOBILE_FOOTER.test(kept.at(-1)!.trim()))) kept.pop();
  while (kept.length > 0 && kept[0]!.trim() === '') kept.shift();
  // HTML converted to text leaves runs of blank lines (empty divs, <br>s): one is enough.
  return kept.map((line) => line.trimEnd()).join('\n').replace(/\n{3,}/g, '\n\n');
}

/** The index of the first line of the quoted conversation or signature; lines.length when there is none. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (SIGNATURE.test(lines[i]!)) return i;
    if (OUTLOOK_SEPARATOR.test(line)) return i;
    if (QUOTE_HEADER.some((header) => header.test(line))) return i;
    // Gmail wraps a long "On … <address> wrote:" over two lines.
    if (QUOTE_HEADER_START.test(line) && i + 1 < lines.length && QUOTE_HEADER.some((header) => header.test(`${line} ${lines[i + 1]!.trim()}`))) return i;
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 1 + OUTLOOK_HEADER_SPAN).some((next) => OUTLOOK_SENT.test(next.trim()))) return i;
  }
  return lines.length;
}
