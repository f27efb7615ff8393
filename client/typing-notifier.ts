/**
 * Tells the other side that the visitor or agent is typing, without an event per keystroke: at most one
 * `typing` event per interval while the draft changes (with the draft itself when the site enables typing
 * preview, visitors only), and "stopped" after a pause, when the draft is emptied, or when the message is sent.
 */
const INTERVAL_MS = 500;
/** Receivers drop an indicator that is not refreshed (the frame after 6 s, the console after 8 s): keep it alive. */
export const TYPING_KEEPALIVE_MS = 3000;
/** No keystroke for this long counts as stopped; shorter than both receivers' timeouts, so "stopped" is said, not guessed. */
export const TYPING_PAUSE_MS = 5000;

type Emit = (typing: boolean, preview?: string) => void;

export class TypingNotifier {
  readonly #emit: Emit;
  readonly #preview: boolean;
  #draft = '';
  /** What the agents were last told: null when they think the visitor is not typing. */
  #sent: { at: number; draft: string } | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #pauseTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(emit: Emit, preview: boolean) {
    this.#emit = emit;
    this.#preview = preview;
  }

  draft(text: string): void {
    if (!text.trim()) return this.stop();
    this.#draft = text;
    clearTimeout(this.#pauseTimer);
    this.#pauseTimer = setTimeout(() => this.stop(), TYPING_PAUSE_MS);
    if (this.#flushTimer !== undefined) return;
    const wait = this.#sent ? Math.max(0, this.#sent.at + INTERVAL_MS - Date.now()) : 0;
    this.#flushTimer = setTimeout(() => this.#flush(), wait);
  }

  stop(): void {
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#pauseTimer);
    this.#flushTimer = this.#pauseTimer = undefined;
    if (this.#sent) this.#emit(false);
    this.#sent = null;
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const now = Date.now();
    const changed = this.#preview && this.#sent?.draft !== this.#draft;
    if (this.#sent && !changed && now - this.#sent.at < TYPING_KEEPALIVE_MS) return;
    this.#emit(true, this.#preview ? this.#draft : undefined);
    this.#sent = { at: now, draft: this.#draft };
  }
}
