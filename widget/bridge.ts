/**
 * The postMessage protocol between the loader (host page) and the frame (chat server's origin).
 * Every message carries `v: BRIDGE_VERSION`; a side ignores versions it does not speak, so a cached
 * loader and a newer frame fail closed instead of misreading each other.
 * Both sides post with an exact targetOrigin and accept a message only when its `event.source` is the
 * expected window and its `event.origin` the expected origin.
 */
import type { WidgetConfig } from '../server/contract/http.ts';

export const BRIDGE_VERSION = 1;

/** Loader → frame. */
export type HostMessage =
  /** The visitor's session: sent after `ready`, and again when the frame asked for a new token. */
  | { v: 1; type: 'init'; token: string; config: WidgetConfig }
  /** The panel was shown or hidden: the frame counts unread messages only while hidden. */
  | { v: 1; type: 'visibility'; open: boolean };

/** Frame → loader. */
export type FrameMessage =
  /** The frame listens now; the loader answers with `init`. */
  | { v: 1; type: 'ready' }
  /** The server refused the token: the loader asks for a new session and answers with `init`. */
  | { v: 1; type: 'token-rejected' }
  /** Lets the loader keep its "conversation exists" flag and draw the unread badge. */
  | { v: 1; type: 'state'; hasConversation: boolean; unread: number }
  /** The frame's own close button. */
  | { v: 1; type: 'close' };

type BridgeMessage = HostMessage | FrameMessage;

function isBridgeMessage(data: unknown): data is { v: number; type: string } {
  return typeof data === 'object' && data !== null && (data as { v?: unknown }).v === BRIDGE_VERSION;
}

export function post<M extends BridgeMessage>(target: Window, targetOrigin: string, message: M): void {
  target.postMessage(message, targetOrigin);
}

/**
 * Calls `handle` for bridge messages from `source()` at `origin`; returns the unsubscribe function.
 * `source` is a function because the loader's iframe window exists only once the iframe is attached.
 */
export function listen<M extends BridgeMessage>(
  source: () => Window | null,
  origin: string,
  handle: (message: M) => void,
): () => void {
  const onMessage = (event: MessageEvent): void => {
    if (event.origin !== origin || event.source === null || event.source !== source()) return;
    if (isBridgeMessage(event.data)) handle(event.data as M);
  };
  addEventListener('message', onMessage);
  return () => removeEventListener('message', onMessage);
}
