/**
 * Escapes text for HTML element content and quoted attribute values. Five replacements, written here rather than
 * adding a dependency (escape-html is only express's own) for email HTML built as a string, with no DOM to render into.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
