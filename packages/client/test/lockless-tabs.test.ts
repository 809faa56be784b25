import { afterEach, describe, expect, it, vi } from "vitest";
import { createGatehouseClient, type GatehouseWarning, type LocksLike, type StorageLike, type StoredTokens } from "../src";
import { browserStorageTokenStore, memoryTokenStore } from "../src/token-store";

// Nothing listens here: every refresh fails at once with network/Unavailable, which is enough
// to run the refresh path (the warning is about the lock around it, not about its answer).
const baseUrl = "http://127.0.0.1:9";

const tokens: StoredTokens = {
  accessToken: "an-access-token",
  accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString(),
  refreshToken: "family.secret",
  refreshTokenExpiresAt: null,
};

/** localStorage as two tabs of one origin see it. */
function sharedStore() {
  const map = new Map<string, string>([["gatehouse.session", JSON.stringify(tokens)]]);
  const storage: StorageLike = {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
  return browserStorageTokenStore({ storage, shared: true });
}

const refreshTwice = async (client: ReturnType<typeof createGatehouseClient>) => {
  await expect(client.hooks.refresh()).rejects.toMatchObject({ appCode: "network/Unavailable" });
  await expect(client.hooks.refresh()).rejects.toMatchObject({ appCode: "network/Unavailable" });
};

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("a store shared between tabs without Web Locks", () => {
  it("warns once, through onWarning, when it refreshes without the cross-tab lock", async () => {
    const warnings: GatehouseWarning[] = [];
    const client = createGatehouseClient({ baseUrl, tokenStore: sharedStore(), locks: null, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    await refreshTwice(client);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: "crossTabLockUnavailable", message: expect.stringContaining("Web Locks") });
    client.dispose();
  });

  it("warns on the console when the app gives no onWarning", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const client = createGatehouseClient({ baseUrl, tokenStore: sharedStore(), locks: null });
    await refreshTwice(client);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/signs the user out in every tab/);
    client.dispose();
  });

  it("warns at creation in a page, so it shows before any refresh", () => {
    vi.stubGlobal("document", {});
    const warnings: GatehouseWarning[] = [];
    const client = createGatehouseClient({ baseUrl, tokenStore: sharedStore(), onWarning: (w) => warnings.push(w) });
    expect(warnings.map((w) => w.code)).toEqual(["crossTabLockUnavailable"]);
    client.dispose();
  });

  it("does not warn with a lock, nor for a store only this page uses", async () => {
    const warnings: GatehouseWarning[] = [];
    const locks: LocksLike = { request: (_name, callback) => callback(null) };
    const withLocks = createGatehouseClient({ baseUrl, tokenStore: sharedStore(), locks, onWarning: (w) => warnings.push(w) });
    const ownStore = createGatehouseClient({
      baseUrl,
      tokenStore: memoryTokenStore(tokens),
      locks: null,
      onWarning: (w) => warnings.push(w),
    });
    await refreshTwice(withLocks);
    await refreshTwice(ownStore);
    expect(warnings).toEqual([]);
    withLocks.dispose();
    ownStore.dispose();
  });
});
