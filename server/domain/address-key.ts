/**
 * The key every per-address limit and the connection cap count a client under. An IPv6 user is usually given a
 * whole /64 and can pick any address in it, so an IPv6 client is keyed by its /64 prefix; an IPv4-mapped IPv6
 * address (`::ffff:1.2.3.4`, how a dual-stack listener sees IPv4 clients) counts as the IPv4 address.
 */
import ipaddr from 'ipaddr.js';

export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`;
}
