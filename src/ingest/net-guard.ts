import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The server-side request forgery guard: feeds must not make the service reach addresses that only
 * it can reach (loopback, private networks, link-local such as cloud metadata at 169.254.169.254,
 * and every other block the IANA IPv4 and IPv6 Special-Purpose Address Registries mark not
 * globally reachable). Checked on the addresses a name resolves to, at connection time, so a DNS
 * answer cannot slip a private address past a check made earlier (DNS rebinding), and on hosts
 * written as address literals, which never go through DNS.
 *
 * The range tables are ipaddr.js's (2.5), which follow the registries. Allowed:
 * - 'unicast', ipaddr.js's name for "in no special-purpose block";
 * - the special-purpose blocks the registries mark globally reachable and ipaddr.js names:
 *   AMT (192.52.193.0/24, 2001:3::/32), AS112 (192.31.196.0/24, 192.175.48.0/24,
 *   2001:4:112::/48, 2620:4f:8000::/48), ORCHIDv2 (2001:20::/28), DRIP entity tags (2001:30::/28).
 * ipaddr.js folds the few globally reachable anycast addresses inside otherwise local blocks
 * (192.0.0.9/32 and 192.0.0.10/32 in 192.0.0.0/24; 2001:1::1/128, 2001:1::2/128, 2001:1::3/128
 * in 2001::/23) into 'reserved', so they are refused: they are PCP, TURN and DNS-SD anycast
 * services, never a feed host, and refusing them keeps the rule a plain lookup in the tables.
 */
const GLOBAL_V4 = new Set(['unicast', 'amt', 'as112']);
const GLOBAL_V6 = new Set(['unicast', 'amt', 'as112v6', 'orchid2', 'droneRemoteIdProtocolEntityTags']);

/** What the guard found: `range` names the block (ipaddr.js's name), and the IPv4 address an IPv6 one embeds. */
export interface AddressVerdict {
  globallyReachable: boolean;
  range: string;
}

/**
 * Classifies an IP address (IPv4 dotted decimal or IPv6, as net.isIP accepts them). Anything else
 * is refused rather than guessed at: callers pass resolved addresses or the hostname of a WHATWG
 * URL, which has already rewritten the odd IPv4 spellings (2130706433, 0x7f.1, 0177.0.0.1, 127.1)
 * as dotted decimal.
 */
export function classifyAddress(address: string): AddressVerdict {
  const family = net.isIP(address);
  if (family === 4) return classifyV4(ipaddr.IPv4.parse(address));
  if (family === 6) return classifyV6(ipaddr.IPv6.parse(withHexTail(address)));
  return { globallyReachable: false, range: 'not an IP address' };
}

/** True for addresses a feed must not point at (the complement of `classifyAddress(...).globallyReachable`). */
export function isPrivateAddress(address: string): boolean {
  return !classifyAddress(address).globallyReachable;
}

/**
 * ipaddr.js reads `::a.b.c.d` (IPv4-compatible) as `::ffff:a.b.c.d` (IPv4-mapped); writing the
 * dotted tail as two hex groups keeps the form the address was given in. net.isIP has checked it.
 */
function withHexTail(address: string): string {
  return address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a: string, b: string, c: string, d: string) => {
    const group = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
    return `${group(a, b)}:${group(c, d)}`;
  });
}

function classifyV4(address: ipaddr.IPv4): AddressVerdict {
  const range = address.range();
  return { globallyReachable: GLOBAL_V4.has(range), range };
}

function classifyV6(address: ipaddr.IPv6): AddressVerdict {
  const range = address.range();
  const p = address.parts;
  const embedded = (description: string, high: number, low: number): AddressVerdict => {
    const v4 = new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
    const inner = classifyV4(v4);
    return { globallyReachable: inner.globallyReachable, range: `${description} form of ${v4.toString()}, ${inner.range}` };
  };
  // The forms that carry an IPv4 address reach (or are translated to) that address: judge it.
  switch (range) {
    case 'ipv4Mapped': // ::ffff:0:0/96, RFC 4291 §2.5.5.2
      return embedded('IPv4-mapped', p[6], p[7]);
    case 'rfc6145': // ::ffff:0:0:0/96, IPv4-translated (SIIT), RFC 6145 §2.1
      return embedded('IPv4-translated', p[6], p[7]);
    case '6to4': // 2002:V4HI:V4LO::/48, RFC 3056 §2
      return embedded('6to4', p[1], p[2]);
    case 'rfc6052':
      // 64:ff9b:1::/48 is the local-use NAT64 prefix (RFC 8215), not globally reachable in the
      // registry and free to embed the IPv4 at any RFC 6052 prefix length: refused whole.
      if (p[2] !== 0) return { globallyReachable: false, range: 'local-use NAT64 64:ff9b:1::/48' };
      return embedded('NAT64', p[6], p[7]); // 64:ff9b::/96, RFC 6052 §2.1
  }
  if (range !== 'unicast') return { globallyReachable: GLOBAL_V6.has(range), range };
  // IPv4-compatible ::/96 (RFC 4291 §2.5.5.1, deprecated) has no name in ipaddr.js, which calls it
  // 'unicast' (::7f00:1, the form WHATWG URLs give [::127.0.0.1]); :: and ::1 matched above.
  if (p.slice(0, 6).every((part) => part === 0)) return embedded('IPv4-compatible', p[6], p[7]);
  // 'unicast' is what is left over, but IANA allocates global unicast only from 2000::/3 (IPv6
  // Address Space registry): the rest is reserved by the IETF, e.g. 100:0:0:1::/64 (RFC 9780) or
  // 64:ff9b:0:1::, which ipaddr.js does not list.
  if (p[0] >> 13 !== 0b001) return { globallyReachable: false, range: 'outside global unicast 2000::/3' };
  return { globallyReachable: true, range };
}

/**
 * The address a host is written as (a URL's `hostname`, IPv6 in brackets or not), or null when it
 * is a name. Only what net.isIP accepts counts: a WHATWG URL has already rewritten the odd IPv4
 * spellings as dotted decimal, and a string net.connect would not take as an address goes to DNS.
 */
export function literalAddress(hostname: string): string | null {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return net.isIP(host) ? host : null;
}

export class BlockedHostError extends Error {
  readonly code = 'FW_BLOCKED_HOST';
  constructor(host: string, address: string, range: string) {
    const subject = host === address ? address : `${host} resolves to ${address}, which`;
    super(
      `${subject} is not a globally reachable address (${range}); loopback, private, link-local and other special-purpose ` +
        'addresses are refused (set FETCH_ALLOW_PRIVATE_HOSTS=true to allow them)',
    );
  }
}

/** The error refusing a connection to `address` (for `host`), or null when it is allowed. */
export function checkAddress(host: string, address: string, allowPrivate: boolean): BlockedHostError | null {
  if (allowPrivate) return null;
  const verdict = classifyAddress(address);
  return verdict.globallyReachable ? null : new BlockedHostError(host, address, verdict.range);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connections that refuses private addresses unless allowed. net.connect
 * calls it only for names: literal addresses are checked by `checkAddress` before connecting.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const blocked = checkAddress(hostname, address, allowPrivate);
        if (blocked) return callback(blocked as unknown as NodeJS.ErrnoException, []);
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}
