/**
 * Server-side request forgery guard: a webhook may only reach public unicast addresses. Names are resolved here
 * and every address checked before connecting; the connection is then pinned to the checked address, so a DNS
 * answer that changes between the check and the connect (rebinding) cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export class RefusedTarget extends Error {}

/** Loopback, private, link-local (the 169.254.169.254 metadata service), unique-local, CGNAT, 0/8, multicast… all refused. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it carries.
  return ipaddr.process(address).range() === 'unicast';
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

/** Resolves the URL's host and answers the address to connect to; throws RefusedTarget for a private one. */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // A name that does not resolve now is a failure worth retrying (plain Error), not a refusal.
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => {
    throw new Error(`${host} does not resolve`);
  });
  // Every address must pass: the resolver could hand any of them to a later connection.
  const refused = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
  if (refused) throw new RefusedTarget(`${host} resolves to ${refused.address}, a private or reserved address`);
  const [first] = addresses;
  if (!first) throw new Error(`${host} does not resolve`);
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
