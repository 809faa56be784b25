import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const SOCKET = "192.0.2.10";
const request = (forwardedFor?: string | string[], remoteAddress: string | null = SOCKET) =>
  ({
    socket: { remoteAddress: remoteAddress ?? undefined },
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  }) as unknown as IncomingMessage;

describe("clientIp", () => {
  it("without TRUST_PROXY: the socket address, canonical, whatever X-Forwarded-For says", () => {
    expect(clientIp(request("203.0.113.9"), 0)).toBe(SOCKET);
    expect(clientIp(request(undefined, "::ffff:192.0.2.10"), 0)).toBe(SOCKET);
    expect(clientIp(request(undefined, "2001:DB8:0:0::1"), 0)).toBe("2001:db8::1");
    expect(clientIp(request(undefined, "fe80::1%eth0"), 0)).toBe("fe80::1");
    expect(clientIp(request(undefined, null), 0)).toBe("unknown");
  });

  it("behind N proxies: the N-th entry from the right, canonical", () => {
    expect(clientIp(request("198.51.100.1, 203.0.113.9"), 1)).toBe("203.0.113.9");
    expect(clientIp(request("198.51.100.1, 203.0.113.9"), 2)).toBe("198.51.100.1");
    expect(clientIp(request("spoofed, 2001:0DB8:0000::0001, 203.0.113.9"), 2)).toBe("2001:db8::1");
    expect(clientIp(request("::ffff:198.51.100.1"), 1)).toBe("198.51.100.1");
    expect(clientIp(request(["198.51.100.1", "203.0.113.9"]), 1)).toBe("203.0.113.9");
  });

  it("an entry with a port is refused: the socket address instead", () => {
    expect(clientIp(request("1.2.3.4:5678"), 1)).toBe(SOCKET);
    expect(clientIp(request("[2001:db8::1]:443"), 1)).toBe(SOCKET);
    expect(clientIp(request("198.51.100.1:80, 203.0.113.9"), 2)).toBe(SOCKET);
  });

  it("a chain shorter than the trusted hops falls back to the socket address (never the client's leftmost entry)", () => {
    expect(clientIp(request("203.0.113.9"), 2)).toBe(SOCKET);
    expect(clientIp(request("198.51.100.1, 203.0.113.9"), 3)).toBe(SOCKET);
    expect(clientIp(request(""), 1)).toBe(SOCKET);
    expect(clientIp(request(undefined), 1)).toBe(SOCKET);
  });

  it("an entry that is not exactly an IP address is refused", () => {
    for (const entry of ["1.2.3.4.5", ":::", "::g", "[::1]", "fe80::1%eth0", "01.2.3.4", "example.com", "unknown", "1.2.3.4 5.6.7.8"]) {
      expect(clientIp(request(entry), 1), entry).toBe(SOCKET);
    }
    // An empty entry at the trusted depth is no address either.
    expect(clientIp(request("198.51.100.1,,203.0.113.9"), 2)).toBe(SOCKET);
  });
});
