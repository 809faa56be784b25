import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { getConfig, loadConfig, setConfig } from "../src/config";
import { dummyPasswordHash, verifyPasswordOrDummy } from "../src/lib/password-hasher";

/** The password hasher: the dummy hash for unknown accounts is at BCRYPT_COST. */

describe("the password hasher", () => {
  it("the dummy hash for unknown accounts is at the configured BCRYPT_COST, whatever the cost was before", async () => {
    setConfig(loadConfig({ ...process.env, BCRYPT_COST: "10" }, "test"));
    expect(await verifyPasswordOrDummy("whatever-password", null)).toEqual({ ok: false, outdated: false });
    expect(bcrypt.getRounds(await dummyPasswordHash())).toBe(10);
    setConfig(loadConfig({ ...process.env, BCRYPT_COST: "11" }, "test"));
    expect(await verifyPasswordOrDummy("whatever-password", null)).toEqual({ ok: false, outdated: false });
    expect(bcrypt.getRounds(await dummyPasswordHash())).toBe(11);
    expect(getConfig().bcryptCost).toBe(11);
  });
});
