// Where a request may connect: the host's addresses are resolved once, each is checked against
// the private ranges, and the connection is made to the checked address itself (a pinned lookup),
// so a name cannot resolve to a public address for the check and a private one for the connect.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Private, loopback, link-local and otherwise non-public ranges: refused unless granted by name. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export type Address = { address: string; family: 4 | 6 };

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // IPv4 written inside IPv6 (::ffff:7f00:1, ::ffff:127.0.0.1) is checked as the IPv4 it is.
  const mapped = family === 6 ? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address) : null;
  if (mapped) {
    const high = parseInt(mapped[1], 16);
    const low = parseInt(mapped[2], 16);
    return PRIVATE.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The address to connect to for `host`, or why there is none. A name's every address is looked
 * at; without `allowPrivate`, private ones are dropped and the first public one is used.
 */
export async function resolveChecked(host: string, allowPrivate: boolean): Promise<Address | { denied: string }> {
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  const family = isIP(literal);
  if (family !== 0) {
    if (!allowPrivate && isPrivateAddress(literal)) return { denied: `${host} is a private address; a grant must name it with "private": true` };
    return { address: literal, family: family as 4 | 6 };
  }
  let found: Array<{ address: string; family: number }>;
  try {
    found = await lookup(literal, { all: true, verbatim: true });
  } catch (error) {
    return { denied: `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})` };
  }
  const usable = allowPrivate ? found : found.filter((a) => !isPrivateAddress(a.address));
  if (usable.length === 0) {
    return { denied: `${host} resolves to a private address (${found.map((a) => a.address).join(', ')}); a grant must name it with "private": true` };
  }
  return { address: usable[0].address, family: usable[0].family === 6 ? 6 : 4 };
}

/** A lookup that answers only the checked address: what the socket connects to. */
export function pinnedLookup(checked: Address): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [checked]);
    else callback(null, checked.address, checked.family);
  }) as LookupFunction;
}
