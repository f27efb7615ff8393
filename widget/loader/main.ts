/**
 * widget.js: the one script a site embeds, `<script async src="ORIGIN/widget.js" data-site="KEY">`.
 * No dependencies and a few kB: it draws the bubble, and creates the chat iframe on first open, or at
 * once when this visitor already has a conversation (so its unread messages arrive).
 */
import { createChatFrame, type ChatFrame } from './chat-frame.ts';
import { mountLauncher } from './launcher.ts';
import { installPublicApi, isInstalled } from './public-api.ts';
import { fetchWidgetConfig } from './server-api.ts';
import { siteStorage } from './storage.ts';

// Only readable while this script runs for the first time, so read before any await.
const script = document.currentScript as HTMLScriptElement | null;

async function start(script: HTMLScriptElement, siteKey: string): Promise<void> {
  const origin = new URL(script.src).origin;
  const config = await fetchWidgetConfig(origin, siteKey);
  if (document.readyState === 'loading') await new Promise((resolve) => addEventListener('DOMContentLoaded', resolve, { once: true }));
  // Checked after the awaits, so that from here to installPublicApi nothing can interleave.
  if (isInstalled()) return;

  const storage = siteStorage(siteKey);
  let open = false;
  let frame: ChatFrame | null = null;
  const launcher = mountLauncher(config.settings, () => setOpen(!open));
  const ensureFrame = (): ChatFrame =>
    (frame ??= createChatFrame({
      origin,
      config,
      storage,
      container: launcher.panel,
      onUnread: launcher.setUnread,
      onCloseRequest: () => setOpen(false),
    }));
  function setOpen(next: boolean): void {
    open = next;
    if (open) ensureFrame();
    launcher.setOpen(open);
    frame?.setVisible(open);
  }

  if (storage.get('conversation')) ensureFrame();
  installPublicApi({ open: () => setOpen(true), close: () => setOpen(false), toggle: () => setOpen(!open) });
}

const siteKey = script?.dataset.site;
if (!script || !siteKey) console.warn('[Parley] widget.js needs a data-site attribute on its script tag');
else start(script, siteKey).catch((error: unknown) => console.warn('[Parley] widget not loaded:', error));
