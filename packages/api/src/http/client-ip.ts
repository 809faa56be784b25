import type { IncomingMessage } from "node:http";

/**
 * The client's IP. Always the socket's address unless `trustProxyHops` > 0, in which case the
 * X-Forwarded-For entry appended by the nearest trusted proxy (counted from the right): entries
 * further left were written by the client and can say anything.
 */
export function clientIp(req: IncomingMessage, trustProxyHops: number): string {
  const socketIp = normalizeIp(req.socket.remoteAddress ?? "unknown");
  if (trustProxyHops <= 0) return socketIp;
  const header = req.headers["x-forwarded-for"];
  const raw = Array.isArray(header) ? header.join(",") : header;
  if (!raw) return socketIp;
  const entries = raw
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const picked = entries[Math.max(0, entries.length - trustProxyHops)];
  return picked && isPlausibleIp(picked) ? normalizeIp(picked) : socketIp;
}

function normalizeIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

function isPlausibleIp(value: string): boolean {
  return value.length <= 45 && /^[0-9a-fA-F:.]+$/.test(value);
}
