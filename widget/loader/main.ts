/**
 * widget.js: the one script a site embeds, `<script async src="ORIGIN/widget.js" data-site="KEY">`.
 * No dependencies and a few kB: it draws the bubble, and creates the chat iframe on first open, or at
 * once when this visitor already has a conversation (so its unread messages arrive).
 */
import type { FrameMessage, HostMessage } from '../bridge.ts';
import { LOCALES, pickLocale } from '../../client/i18n.ts';
import { createChatFrame, type ChatFrame } from './chat-frame.ts';
import { mountLauncher } from './launcher.ts';
import { emit, installPublicApi, isInstalled } from './public-api.ts';
import { fetchWidgetConfig } from './server-api.ts';
import { siteStorage } from './storage.ts';
import { titleBadge } from './title-badge.ts';

/** postMessage throws on what it can't clone (functions), and the server takes plain JSON only. */
const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// Only readable while this script runs for the first time, so read before any await.
const script = document.currentScript as HTMLScriptElement | null;

async function start(script: HTMLScriptElement, siteKey: string): Promise<void> {
  const origin = new URL(script.src).origin;
  const config = await fetchWidgetConfig(origin, siteKey);
  if (document.readyState === 'loading') await new Promise((resolve) => addEventListener('DOMContentLoaded', resolve, { once: true }));
  // Checked after the awaits, so that from here to installPublicApi nothing can interleave.
  if (isInstalled()) return;

  const storage = siteStorage(siteKey);
  // The site's language, else the browser's; Parley.setLocale overrides either.
  const setting = config.settings.locale;
  let locale = pickLocale(setting === 'auto' ? navigator.languages : [setting], LOCALES);
  let open = false;
  let unread = 0;
  let frame: ChatFrame | null = null;
  /** What the page said before the frame existed, delivered when it is created. */
  let pending: HostMessage[] = [];
  const showTitleBadge = titleBadge();
  const launcher = mountLauncher(config.settings, () => setOpen(!open));
  const renderLauncher = (): void => launcher.render(open, unread, locale);
  renderLauncher();

  function setUnread(count: number): void {
    if (count === unread) return;
    unread = count;
    renderLauncher();
    showTitleBadge(count);
    emit('unread', count);
  }
  function onFrameMessage(message: FrameMessage): void {
    switch (message.type) {
      case 'state':
        // Kept until shutdown: a frame starting up reports none before it has asked the server.
        if (message.hasConversation) storage.set('conversation', '1');
        setUnread(message.unread);
        break;
      case 'muted':
        storage.set('muted', message.muted ? '1' : null);
        break;
      case 'message':
        emit('message', message.message);
        break;
      case 'error':
        console.error(`[Parley] ${message.code}: ${message.message}`);
        emit('error', { code: message.code, message: message.message });
        break;
      case 'close':
        setOpen(false);
    }
  }
  function ensureFrame(): ChatFrame {
    if (!frame) {
      frame = createChatFrame({ origin, config, storage, container: launcher.panel, locale: () => locale, onMessage: onFrameMessage });
      pending.forEach(frame.send);
      pending = [];
    }
    return frame;
  }
  function toFrame(message: HostMessage): void {
    if (frame) frame.send(message);
    else pending.push(message);
  }
  function setOpen(next: boolean): void {
    if (next === open) return;
    open = next;
    renderLauncher();
    // Focus goes into the panel (the frame then focuses its first field); closing returns it to the bubble.
    if (open) ensureFrame().focus();
    frame?.send({ v: 1, type: 'visibility', open });
    emit(open ? 'open' : 'close');
  }

  if (storage.get('conversation')) ensureFrame();
  installPublicApi({
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!open),
    // Needs the frame at once: the server may switch the page to this user's earlier conversations.
    identify: (identity) => ensureFrame().send({ v: 1, type: 'identify', identity: jsonCopy(identity) }),
    setAttributes: (attributes) => toFrame({ v: 1, type: 'attributes', attributes: jsonCopy(attributes) }),
    setLocale(code) {
      locale = pickLocale([String(code)], LOCALES);
      renderLauncher();
      frame?.send({ v: 1, type: 'locale', locale });
    },
    shutdown() {
      setOpen(false);
      frame?.remove();
      frame = null;
      pending = [];
      storage.set('token', null);
      storage.set('conversation', null);
      setUnread(0);
    },
  });
}

const siteKey = script?.dataset.site;
if (!script || !siteKey) console.warn('[Parley] data-site missing');
else start(script, siteKey).catch((error: unknown) => console.warn('[Parley] not loaded:', error));
