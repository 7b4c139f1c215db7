import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where outgoing webhooks may go (SPEC §7): https receivers at public addresses only. Loopback,
 * private, link-local (cloud metadata lives there), CGNAT, unique-local and other special ranges
 * are refused when the URL is saved and again at every connection, since a name may resolve
 * elsewhere later. `allowLocal` (tests and the demo, by explicit setting) admits http and loopback.
 */
export interface WebhookTargetPolicy {
  allowLocal: boolean;
  /** Every address a name resolves to; Node's resolver unless a test gives one. */
  resolve?: (host: string) => Promise<string[]>;
}

const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, 169.254.169.254 metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7], // unique local, fd00:ec2::254 metadata
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** The IPv4 address inside an IPv4-mapped or -translated IPv6 address, else the address itself. */
function unmapped(address: string): string {
  const mapped = /^(?:::ffff:|::ffff:0:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const n = (parseInt(hex[1]!, 16) << 16) | parseInt(hex[2]!, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  return address;
}

/** Whether a connection to this address is allowed under the policy. */
export function addressAllowed(address: string, policy: Pick<WebhookTargetPolicy, 'allowLocal'>): boolean {
  const a = unmapped(address.replace(/^\[|\]$/g, ''));
  const family = isIP(a) === 6 ? 'ipv6' : isIP(a) === 4 ? 'ipv4' : null;
  if (!family) return false;
  if (policy.allowLocal && LOOPBACK.check(a, family)) return true;
  return !NOT_PUBLIC.check(a, family);
}

export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

const resolveAll = async (host: string) => (await dnsLookup(host, { all: true, verbatim: true })).map((r) => r.address);

/**
 * Checks a receiver URL when it is saved: its scheme, and every address its host is now known at.
 * A name that does not resolve yet is accepted (each connection checks again). Answers the reason
 * when refused.
 */
export async function checkWebhookUrl(raw: string, policy: WebhookTargetPolicy): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowLocal && url.protocol === 'http:')) return 'the receiver must use https';
  if (url.username || url.password) return 'the URL must not carry a user name or password';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return addressAllowed(host, policy) ? null : 'the address is not a public one';
  let addresses: string[];
  let timer: NodeJS.Timeout | undefined;
  try {
    // A resolver that does not answer must not hold the admin's save: each connection checks again.
    const gaveUp = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('resolver timed out')), 3000)));
    addresses = await Promise.race([(policy.resolve ?? resolveAll)(host), gaveUp]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
  return addresses.every((a) => addressAllowed(a, policy)) ? null : 'the name resolves to an address that is not a public one';
}

/**
 * A `lookup` for the HTTP agent that connects to a receiver: it resolves the name and refuses
 * when any address is not public, so a name that turned to an internal address since it was
 * saved (DNS rebinding) is never connected to.
 */
export function guardedLookup(policy: WebhookTargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    (policy.resolve ?? resolveAll)(hostname).then(
      (addresses) => {
        const refused = addresses.find((a) => !addressAllowed(a, policy));
        if (refused !== undefined || !addresses.length) return callback(new WebhookTargetRefused(`${hostname} is not at a public address`), '', 4);
        const wanted = (options as { all?: boolean }).all;
        const family = (a: string) => (isIP(a) === 6 ? 6 : 4);
        if (wanted)
          return (callback as unknown as (e: null, all: { address: string; family: number }[]) => void)(
            null,
            addresses.map((a) => ({ address: a, family: family(a) })),
          );
        callback(null, addresses[0]!, family(addresses[0]!));
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}
