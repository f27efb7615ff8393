/** The part of html-to-text (mailparser's own HTML converter, installed with it) that reply reading uses; it ships no types. */
declare module 'html-to-text' {
  interface SelectorDefinition {
    selector: string;
    format?: string;
    options?: Record<string, unknown>;
  }
  export function convert(html: string, options?: { wordwrap?: number | false; selectors?: SelectorDefinition[]; limits?: { maxDepth?: number; maxInputLength?: number; ellipsis?: string } }): string;
}
