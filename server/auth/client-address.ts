/**
 * Which peers may tell us who the client is (TRUST_PROXY), compiled once into one proxy-addr trust function
 * that both Express (`trust proxy`) and the socket handshake use, so both take the same client address.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** `false`: no proxy; a number: that many proxies in front; a list: the proxies' addresses, CIDRs or names. */
export type TrustProxy = false | number | string[];

/** proxy-addr's trust function: may `address`, the `hop`-th peer counting from ours (0), be believed? */
export type Trust = (address: string, hop: number) => boolean;

const FORMS = '`false`, a number of proxies in front (e.g. `1`), or their addresses (e.g. `loopback,10.0.0.0/8`)';

/** Reads TRUST_PROXY; throws with the accepted forms when the value is none of them. */
export function parseTrustProxy(value: string): TrustProxy {
  const text = value.trim();
  if (text === 'false') return false;
  // `true` used to trust whatever X-Forwarded-For said, which lets clients pick their address.
  if (text === 'true') throw new Error(`\`true\` is no longer accepted (it let clients choose their address); use ${FORMS}`);
  if (/^\d+$/.test(text)) return Number(text) === 0 ? false : Number(text);
  const list = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  try {
    proxyaddr.compile(list);
  } catch (error) {
    throw new Error(`${(error as Error).message}; use ${FORMS}`);
  }
  return list;
}

export function compileTrust(setting: TrustProxy): Trust {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

/**
 * The client behind trusted proxies, by Express's own rules (req.ip, req.secure, req.host): the address is the
 * nearest untrusted one in X-Forwarded-For (the entries a client prepends are never reached); X-Forwarded-Proto
 * and -Host count only when our immediate peer is trusted.
 */
export function forwardedClient(trust: Trust, peer: { address: string; encrypted: boolean; headers: IncomingHttpHeaders }) {
  const header = (name: string) => {
    const value = peer.headers[name];
    return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
  };
  const peerTrusted = trust(peer.address, 0);
  const proto = peerTrusted ? header('x-forwarded-proto') : undefined;
  const request = { socket: { remoteAddress: peer.address }, headers: peer.headers } as unknown as IncomingMessage;
  return {
    ip: proxyaddr(request, trust),
    secure: proto ? proto === 'https' : peer.encrypted,
    host: (peerTrusted ? header('x-forwarded-host') : undefined) ?? header('host'),
  };
}
