import { isIP } from "node:net";

/**
 * Client addresses, written one way, and the network a per-IP limit counts. An IPv6 host
 * usually holds a whole /64 (SLAAC, privacy addresses, any cheap VPS) and can speak from 2^64
 * addresses of it, so a limit keyed by the IPv6 address would be no limit; a /64 is the
 * smallest prefix an ISP or host hands one customer. IPv4 has no such plenty: one address.
 */

/** `1.2.3.4` → [0x102, 0x304]. */
const ipv4Groups = (ip: string) => {
  const [a, b, c, d] = ip.split(".").map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
};

/** The eight 16-bit groups of an address isIP() calls IPv6 (no zone). */
function ipv6Groups(ip: string): number[] {
  let text = ip;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for the last two groups.
  if (tail.includes("."))
    text =
      text.slice(0, lastColon + 1) +
      ipv4Groups(tail)
        .map((g) => g.toString(16))
        .join(":");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const [head, rest] = text.split("::") as [string, string | undefined];
  if (rest === undefined) return parse(head);
  const left = parse(head);
  const right = parse(rest);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952: lower-case hex without leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(groups: number[]): string {
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.length).join(":")}`;
}

const isIpv4Mapped = (groups: number[]) => groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;

/**
 * The canonical text of an IP address (IPv4 dotted; IPv6 as RFC 5952; an IPv4-mapped IPv6
 * address as the IPv4 address it maps), or undefined when `value` is not exactly an address:
 * a port, brackets, a zone, spaces or anything else make it no address.
 */
export function canonicalIp(value: string): string | undefined {
  const version = isIP(value);
  if (version === 4) return value;
  if (version !== 6 || value.includes("%")) return undefined;
  const groups = ipv6Groups(value);
  if (isIpv4Mapped(groups)) return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  return formatIpv6(groups);
}

/**
 * The network every per-IP limit and the per-(account, IP) budget count: an IPv4 address
 * itself, an IPv6 address's /64 written as its four groups (`2001:db8:0:0::/64`, one spelling
 * for every address in it). Anything that is not an address (the front server's "unknown") is
 * returned as it is: a bucket of its own, never one per spelling of an address.
 */
export function clientNetwork(ip: string): string {
  const canonical = canonicalIp(ip);
  if (canonical === undefined) return ip;
  if (isIP(canonical) === 4) return canonical;
  const prefix = ipv6Groups(canonical)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":");
  return `${prefix}::/64`;
}

/**
 * The wider network a per-network failure budget counts (CONTRACT "Numbers (v2)": email sign-in
 * codes, 15 failures per (tenant, address, client network)): an IPv4 address's /24, an IPv6
 * address's /64. Wider than clientNetwork for IPv4 because a budget that a guesser could renew by
 * hopping to the next address of a rented block would be no budget; a /24 is the smallest block
 * routed on its own. Not an address: returned as it is, as clientNetwork does.
 */
export function clientSubnet(ip: string): string {
  const network = clientNetwork(ip);
  if (isIP(network) !== 4) return network;
  return `${network.slice(0, network.lastIndexOf("."))}.0/24`;
}
