/**
 * Server-sent events as Chat Completions streams them: `data:` lines, an event ending at a blank line, `:` comments.
 * Written here because the format is a few lines of rules and the caller must cap what it buffers (a line that
 * never ends would otherwise grow without bound); no kept dependency parses it with such a cap.
 */
export class SseDataReader {
  private pending = '';
  private data: string[] = [];

  /** @param maxLineChars a longer line (no newline in sight) is refused rather than buffered. */
  constructor(private readonly maxLineChars: number) {}

  /** Feeds decoded text; answers the data of every event it completes, in order. */
  push(text: string): string[] {
    this.pending += text;
    const events: string[] = [];
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).replace(/\r$/, '');
      this.pending = this.pending.slice(newline + 1);
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    if (this.pending.length > this.maxLineChars) throw new RangeError(`an event line longer than ${this.maxLineChars} characters`);
    return events;
  }

  /** The end of the stream completes an event still open (some servers omit the last blank line). */
  end(): string[] {
    const events = this.pending ? this.push('\n') : [];
    const last = this.line('');
    return last === undefined ? events : [...events, last];
  }

  private line(line: string): string | undefined {
    if (line === '') {
      if (this.data.length === 0) return undefined;
      const event = this.data.join('\n');
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    // Other fields (event, id, retry) carry nothing Chat Completions uses.
    if (field === 'data') this.data.push(colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, ''));
    return undefined;
  }
}
