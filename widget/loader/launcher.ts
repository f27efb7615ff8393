/**
 * The bubble and the panel that holds the chat iframe, drawn in an open shadow root so the host
 * page's CSS can't reach them and ours can't leak out. Built with DOM calls, never innerHTML.
 */
import type { WidgetSettings } from '../../server/contract/dto.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
const CLOSE_ICON = 'M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z';

const styles = (side: 'left' | 'right'): string => `
.launcher,.panel{position:fixed;${side}:20px}
.launcher{bottom:20px;width:56px;height:56px;border:0;border-radius:50%;padding:0;cursor:pointer;display:grid;place-items:center;background:var(--color);color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher:focus-visible{outline:3px solid var(--color);outline-offset:3px}
svg{width:28px;height:28px}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#d93025;color:#fff;font:600 12px/20px system-ui,sans-serif}
.panel{bottom:88px;width:min(380px,calc(100vw - 40px));height:min(640px,calc(100vh - 108px));border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 8px 30px rgba(0,0,0,.25)}
[hidden]{display:none}
iframe{display:block;width:100%;height:100%;border:0}
@media (max-width:480px){.panel{inset:0;width:auto;height:auto;border-radius:0}.launcher[aria-expanded=true]{display:none}}`;

export interface Launcher {
  /** Where the chat iframe goes. */
  panel: HTMLElement;
  setOpen(open: boolean): void;
  setUnread(count: number): void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

export function mountLauncher(settings: WidgetSettings, onToggle: () => void): Launcher {
  // A custom element name: page stylesheets rarely target it, unlike div.
  const hostElement = document.createElement('parley-widget');
  hostElement.style.cssText = `position:fixed;z-index:${Math.trunc(settings.zIndex)}`;
  hostElement.style.setProperty('--color', settings.color);
  const root = hostElement.attachShadow({ mode: 'open' });

  const style = document.createElement('style');
  style.textContent = styles(settings.position === 'left' ? 'left' : 'right');
  const panel = element('div', { class: 'panel', id: 'panel', hidden: '' });
  const button = element('button', { class: 'launcher', type: 'button', 'aria-controls': 'panel' });
  const icon = document.createElementNS(SVG_NS, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('fill', 'currentColor');
  icon.append(path);
  const badge = element('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  button.append(icon, badge);
  button.addEventListener('click', onToggle);
  root.append(style, panel, button);
  document.body.append(hostElement);

  let open = false;
  let unread = 0;
  const render = (): void => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? 'Close chat' : unread ? `Open chat, ${unread} unread` : 'Open chat');
    path.setAttribute('d', open ? CLOSE_ICON : CHAT_ICON);
    badge.hidden = open || unread === 0;
    badge.textContent = unread > 9 ? '9+' : String(unread);
  };
  render();
  return {
    panel,
    setOpen(next) {
      // Focus in the closing panel would be lost: hand it back to the bubble.
      const focusWasInPanel = panel.contains(root.activeElement);
      open = next;
      render();
      if (!open && focusWasInPanel) button.focus();
    },
    setUnread(count) {
      unread = count;
      render();
    },
  };
}
