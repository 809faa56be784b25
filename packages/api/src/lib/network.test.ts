import { describe, expect, it } from "vitest";
import { canonicalIp, clientNetwork, clientSubnet } from "./network";

describe("canonicalIp", () => {
  it.each([
    ["1.2.3.4", "1.2.3.4"],
    ["::ffff:1.2.3.4", "1.2.3.4"],
    ["::FFFF:102:304", "1.2.3.4"],
    ["2001:DB8::1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["::1.2.3.4", "::102:304"],
    ["fe80::", "fe80::"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });

  it.each([
    "1.2.3.4:5678",
    "[2001:db8::1]:443",
    "[2001:db8::1]",
    "fe80::1%eth0",
    "01.2.3.4",
    "1.2.3",
    " 1.2.3.4",
    "localhost",
    "",
    "unknown",
    ":::",
    "1.2.3.4.5",
  ])("%j is not an address", (input) => {
    expect(canonicalIp(input)).toBeUndefined();
  });
});

describe("clientNetwork", () => {
  it("puts every spelling of every address of one IPv6 /64 in one network", () => {
    const networks = ["2001:db8::1", "2001:DB8:0:0::2", "2001:db8:0:0:ffff::3", "2001:0db8:0000:0000:ffff:ffff:ffff:ffff"].map(
      clientNetwork,
    );
    expect(new Set(networks)).toEqual(new Set(["2001:db8:0:0::/64"]));
    expect(clientNetwork("2001:db8:0:1::1")).toBe("2001:db8:0:1::/64");
    expect(clientNetwork("::1")).toBe("0:0:0:0::/64");
  });

  it("an IPv4 address (mapped into IPv6 or not) is its own network", () => {
    expect(clientNetwork("198.51.100.7")).toBe("198.51.100.7");
    expect(clientNetwork("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientNetwork("198.51.100.8")).toBe("198.51.100.8");
  });

  it("something that is not an address stays as it is", () => {
    expect(clientNetwork("unknown")).toBe("unknown");
  });
});

describe("clientSubnet", () => {
  it("an IPv4 address's /24, however it is written", () => {
    expect(clientSubnet("198.51.100.7")).toBe("198.51.100.0/24");
    expect(clientSubnet("::ffff:198.51.100.250")).toBe("198.51.100.0/24");
    expect(clientSubnet("198.51.101.7")).toBe("198.51.101.0/24");
  });

  it("an IPv6 address's /64, as clientNetwork; not an address stays as it is", () => {
    expect(clientSubnet("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientSubnet("2001:db8:0:0:ffff::3")).toBe("2001:db8:0:0::/64");
    expect(clientSubnet("unknown")).toBe("unknown");
  });
});
