/**
 * Preact nodes as HTML, for the few plain elements the article renderer makes (client/article-markdown.tsx):
 * every text and attribute value escaped, no component, no event handler, no raw HTML. A full server renderer
 * (preact-render-to-string) is not a dependency, and these elements need nothing it adds.
 */
import type { ComponentChildren, VNode } from 'preact';

const ELEMENTS = new Set(['h2', 'h3', 'h4', 'p', 'ul', 'ol', 'li', 'pre', 'code', 'strong', 'em', 'a']);
const ATTRIBUTES = new Set(['href', 'target', 'rel', 'dir']);

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function toHtml(node: ComponentChildren): string {
  if (node === null || node === undefined || typeof node === 'boolean') return '';
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'bigint') return escapeHtml(String(node));
  if (Array.isArray(node)) return node.map(toHtml).join('');
  const vnode = node as VNode<Record<string, unknown> & { children?: ComponentChildren }>;
  if (typeof vnode.type !== 'string') return toHtml(vnode.props.children); // a Fragment
  if (!ELEMENTS.has(vnode.type)) throw new Error(`toHtml: <${vnode.type}> is not an article element`);
  const attributes = Object.entries(vnode.props)
    .filter(([name, value]) => ATTRIBUTES.has(name) && typeof value === 'string')
    .map(([name, value]) => ` ${name}="${escapeHtml(value as string)}"`)
    .join('');
  return `<${vnode.type}${attributes}>${toHtml(vnode.props.children)}</${vnode.type}>`;
}
