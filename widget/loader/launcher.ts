/**
 * The bubble and the panel that holds the chat iframe, drawn in an open shadow root so the host
 * page's CSS can't reach them and ours can't leak out. Built with DOM calls, never innerHTML.
 */
import type { WidgetSettings } from '../../server/contract/dto.ts';
import type { Locale } from '../../client/i18n.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z';
const CLOSE_ICON = 'M5 6.4 6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12z';

/** The launcher's names: open, close, and the unread suffix. */
const LABELS: Record<Locale, [string, string, string]> = {
  en: ['Open chat', 'Close chat', 'unread'],
  'zh-CN': ['打开聊天', '关闭聊天', '条未读'],
  ar: ['فتح الدردشة', 'إغلاق الدردشة', 'غير مقروءة'],
};

/**
 * `:host{all:initial!important}`: an `!important` rule inside a shadow tree beats the page's `!important`
 * rules on the host element (`* { all: unset !important }`), and resets what the host would inherit
 * (font-size, visibility, direction...); `display:contents`: the host makes no box, so nothing on the
 * page moves. Only px units: the page's root font size must not matter.
 * The shadow tree holds one div (the panel), one button (the bubble) and one span (its badge).
 * The icon is black or white, whichever contrasts more with the site's colour (LCH lightness ≈ 53.4 is
 * where both give the same ratio); a browser without relative colours drops that declaration for the white.
 * The settings are the server's validated ones (position `left` or `right`, colour `#rrggbb`). The bubble
 * keeps the configured side in every language: a right-to-left one mirrors the inside of the panel only.
 */
function styles({ position, color, offsetX, offsetY, zIndex }: WidgetSettings): string {
  const bottom = `calc(${offsetY}px + env(safe-area-inset-bottom))`;
  return (
    `:host{all:initial!important;display:contents!important}div,button{position:fixed;z-index:${zIndex};${position}:calc(${offsetX}px + env(safe-area-inset-${position}))}` +
    `button{bottom:${bottom};width:56px;height:56px;border:0;border-radius:50%;padding:14px;cursor:pointer;background:${color};color:#fff;color:lch(from ${color} calc((53.4 - l)*infinity) 0 0);box-shadow:0 4px 16px #0004}` +
    `button:focus-visible{outline:3px solid #1f2328;outline-offset:2px}svg{display:block;fill:currentColor}` +
    `span{position:absolute;top:-4px;right:-4px;padding:0 6px;border-radius:10px;background:#c5221f;color:#fff;font:600 12px/20px system-ui}` +
    `div{bottom:calc(${bottom} + 68px);width:min(380px,100vw - 40px);height:min(640px,100vh - ${offsetY + 88}px);border-radius:12px;overflow:hidden;background:#fff;box-shadow:0 4px 16px #0004}` +
    `iframe{display:block;width:100%;height:100%;border:0}` +
    `@media (max-width:639.98px){div{inset:0;width:auto;height:auto;border-radius:0;padding:env(safe-area-inset-top) env(safe-area-inset-right) env(safe-area-inset-bottom) env(safe-area-inset-left)}[aria-expanded=true]{display:none}}`
  );
}

export interface Launcher {
  /** Where the chat iframe goes. */
  panel: HTMLElement;
  /** Shows the panel open or closed, and the bubble's icon, badge and name; call it at once and on every change. */
  render(open: boolean, unread: number, locale: Locale): void;
}

export function mountLauncher(settings: WidgetSettings, onToggle: () => void): Launcher {
  // A custom element name: page stylesheets rarely target it, unlike div.
  const hostElement = document.createElement('parley-widget');
  const root = hostElement.attachShadow({ mode: 'open' });

  // A constructed stylesheet is not an inline <style>, so a host CSP without 'unsafe-inline' allows it.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(styles(settings));
  root.adoptedStyleSheets = [sheet];

  const panel = document.createElement('div');
  panel.id = 'panel';
  panel.hidden = true;
  const button = document.createElement('button');
  button.setAttribute('aria-controls', 'panel');
  // A button's content is presentational: its aria-label alone names it, so icon and badge need no aria-hidden.
  const icon = document.createElementNS(SVG_NS, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  const path = document.createElementNS(SVG_NS, 'path');
  icon.append(path);
  const badge = document.createElement('span');
  button.append(icon, badge);
  button.addEventListener('click', onToggle);
  root.append(panel, button);
  // Under <html>, not <body>: a transform or filter on the page's body can't capture our fixed position.
  document.documentElement.append(hostElement);

  return {
    panel,
    render(open, unread, locale) {
      const [openLabel, closeLabel, unreadLabel] = LABELS[locale];
      // Focus in the closing panel would be lost: hand it back to the bubble.
      const focusWasInPanel = panel.contains(root.activeElement);
      panel.hidden = !open;
      // The page may be in another language: screen readers pick the voice for the name from lang.
      button.lang = locale;
      button.setAttribute('aria-expanded', `${open}`);
      button.setAttribute('aria-label', open ? closeLabel : unread ? `${openLabel}, ${unread} ${unreadLabel}` : openLabel);
      path.setAttribute('d', open ? CLOSE_ICON : CHAT_ICON);
      badge.hidden = open || unread === 0;
      badge.textContent = unread > 9 ? '9+' : `${unread}`;
      if (!open && focusWasInPanel) button.focus();
    },
  };
}
