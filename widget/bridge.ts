/**
 * The postMessage protocol between the loader (host page) and the frame (chat server's origin).
 * Every message carries `v: BRIDGE_VERSION`; a side ignores versions it does not speak, so a cached
 * loader and a newer frame fail closed instead of misreading each other.
 * Both sides post with an exact targetOrigin and accept a message only when its `event.source` is the
 * expected window and its `event.origin` the expected origin.
 */
import type { ErrorCode } from '../server/contract/errors.ts';
import type { MessageDTO } from '../server/contract/dto.ts';
import type { VisitorUpdateRequest } from '../server/contract/events.ts';
import type { WidgetConfig } from '../server/contract/http.ts';
import type { Locale } from '../client/i18n.ts';

export const BRIDGE_VERSION = 1;

/**
 * `Parley.identify(...)`, passed through unchanged: `hash` is the site's hex HMAC-SHA256 of `id`; `profileHash`,
 * of `id + "\n" + name + "\n" + email`, also vouches for the name and email (see IdentifyRequest).
 */
export interface Identity {
  id: string;
  name?: string;
  email?: string;
  hash?: string;
  profileHash?: string;
}

export type VisitorAttributes = NonNullable<VisitorUpdateRequest['attributes']>;

/** The host page the visitor is on: the frame reports it so agents see where the visitor is. */
export interface HostPage {
  url: string;
  title: string;
  referrer: string;
}

/** Loader → frame. */
export type HostMessage =
  /** The visitor's session: sent after `ready`, and again when the frame asked for a new token. */
  | { v: 1; type: 'init'; token: string; config: WidgetConfig; page: HostPage; locale: Locale; muted: boolean }
  /** The panel was shown or hidden: the frame counts unread messages and plays sounds only while hidden. */
  | { v: 1; type: 'visibility'; open: boolean }
  | { v: 1; type: 'identify'; identity: Identity }
  | { v: 1; type: 'attributes'; attributes: VisitorAttributes }
  | { v: 1; type: 'locale'; locale: Locale };

/** Frame → loader. */
export type FrameMessage =
  /** The frame listens now; the loader answers with `init`. */
  | { v: 1; type: 'ready' }
  /** The server refused the token: the loader asks for a new session and answers with `init`. */
  | { v: 1; type: 'token-rejected' }
  /** Identify signed a token for the identified visitor: the loader keeps it from now on. */
  | { v: 1; type: 'token'; token: string }
  /** Lets the loader set its "conversation exists" flag (for the next page) and draw the unread badge. */
  | { v: 1; type: 'state'; hasConversation: boolean; unread: number }
  /** The visitor muted or unmuted the sound; the loader remembers it in the host's storage. */
  | { v: 1; type: 'muted'; muted: boolean }
  /** A new message in the visitor's conversation, for `Parley.on('message')`. */
  | { v: 1; type: 'message'; message: MessageDTO }
  /** A call of the JS API failed (e.g. identify refused): the loader reports it to the page. */
  | { v: 1; type: 'error'; code: ErrorCode | 'TIMEOUT'; message: string }
  /** The frame's own close button, or Escape. */
  | { v: 1; type: 'close' };

type BridgeMessage = HostMessage | FrameMessage;

function isBridgeMessage(data: unknown): data is { v: number; type: string } {
  return typeof data === 'object' && data !== null && (data as { v?: unknown }).v === BRIDGE_VERSION;
}

export function post<M extends BridgeMessage>(target: Window, targetOrigin: string, message: M): void {
  target.postMessage(message, targetOrigin);
}

/**
 * Calls `handle` for bridge messages from `source()` at `origin`. `source` is a function because the
 * loader's iframe window exists only once the iframe is attached (and is null again once removed).
 */
export function listen<M extends BridgeMessage>(source: () => Window | null, origin: string, handle: (message: M) => void): void {
  addEventListener('message', (event) => {
    if (event.origin !== origin || event.source === null || event.source !== source()) return;
    if (isBridgeMessage(event.data)) handle(event.data as M);
  });
}
