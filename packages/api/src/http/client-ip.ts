import type { IncomingMessage } from "node:http";
import { canonicalIp } from "../lib/network";

/**
 * The client's IP, canonical (lib/network.ts). Always the socket's address unless
 * `trustProxyHops` > 0, in which case the X-Forwarded-For entry appended by the outermost of
 * those proxies (the `trustProxyHops`-th from the right): entries further left were written by
 * the client and can say anything.
 *
 * Anything short of a clean answer falls back to the socket address (the nearest proxy, so
 * such requests share one bucket rather than choose their own): a chain with fewer entries
 * than trusted proxies (the request skipped one, and the entry at that depth would be the
 * client's text), or an entry at that depth that is not exactly an IP address (a port as in
 * `1.2.3.4:5678` or `[2001:db8::1]:443`, a zone, a name, garbage).
 */
export function clientIp(req: IncomingMessage, trustProxyHops: number): string {
  const socketIp = canonicalIp((req.socket.remoteAddress ?? "").split("%", 1)[0]!) ?? "unknown";
  if (trustProxyHops <= 0) return socketIp;
  const header = req.headers["x-forwarded-for"];
  const raw = Array.isArray(header) ? header.join(",") : header;
  if (!raw || raw.trim() === "") return socketIp;
  const entries = raw.split(",").map((entry) => entry.trim());
  if (entries.length < trustProxyHops) return socketIp;
  return canonicalIp(entries[entries.length - trustProxyHops]!) ?? socketIp;
}
