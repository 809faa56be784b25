import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGatehouseClient, type LocksLike, type SessionChange, type StorageLike, type StoredTokens } from "../src";
import { browserStorageTokenStore, memoryTokenStore } from "../src/token-store";
import { createTenant, hasRedis, newClient, PASSWORD, signUpWith, startGatehouse, unique, type Gatehouse } from "./support";

let gatehouse: Gatehouse;
let tenantKey: string;

beforeAll(async () => {
  if (!hasRedis) return;
  gatehouse = await startGatehouse();
  tenantKey = (await createTenant()).key;
});
afterAll(async () => {
  await gatehouse?.close();
});

/**
 * A user with two sessions, the second revoked: its access token is refused with 401
 * auth/Unauthenticated while the first session's refresh token is still good.
 */
async function revokedAccessTokenWithLiveRefreshToken() {
  const setup = newClient(gatehouse);
  const first = await signUpWith(setup, tenantKey);
  const second = newClient(gatehouse);
  const signedIn = await second.ClientAuth.signIn({ body: { tenantKey, userId: first.userId, password: PASSWORD } });
  if (signedIn.error) throw signedIn.error;
  const sessions = await second.ClientAuth.listSessions();
  const current = sessions.data?.items.find((s) => s.current);
  if (!current) throw new Error("no current session");
  const revoked = await setup.ClientAuth.revokeSession({ body: { id: current.id } });
  expect(revoked.error).toBeUndefined();
  setup.dispose();
  second.dispose();
  return {
    user: first,
    tokens: {
      accessToken: signedIn.data.accessToken,
      accessTokenExpiresAt: signedIn.data.accessTokenExpiresAt,
      refreshToken: first.refreshToken,
      refreshTokenExpiresAt: first.refreshTokenExpiresAt,
    } satisfies StoredTokens,
    deadRefreshToken: signedIn.data.refreshToken,
  };
}

describe.skipIf(!hasRedis)("the snippet, as product teams write it", () => {
  it("signs up, sends the code, verifies it and reads me", async () => {
    const { ClientAuth, ClientEmailVerification, hooks, recorder, dispose } = newClient(gatehouse);
    const userId = unique("u").slice(0, 24);
    const email = `${unique("m")}@example.com`;
    const displayName = "Snippet User";
    const password = PASSWORD;

    const res = await ClientAuth.signUp({ body: { tenantKey, userId, password, displayName, email } });
    if (res.error) throw res.error;
    await hooks.setAccessToken(res.data!.accessToken, res.data!.accessTokenExpiresAt);
    const sent = await ClientEmailVerification.sendVerification({ body: { email } });
    expect(sent.error).toBeUndefined();
    const verified = await ClientEmailVerification.verifyEmail({ body: { code: gatehouse.smtp.latestCode(email) } });
    expect(verified.error).toBeUndefined();
    expect(verified.data?.user.emailVerifiedAt).toEqual(expect.any(String));

    // verifyEmail's fresh token (ev: true) replaced the sign-up one; the refresh token stayed.
    const tokens = await hooks.getTokens();
    expect(tokens?.accessToken).toBe(verified.data?.accessToken);
    expect(tokens?.refreshToken).toBe(res.data.refreshToken);

    const me = await ClientAuth.me();
    expect(me.data?.user).toMatchObject({ userId, email, displayName, tenantKey });
    // A verified user passes the A gate (updateMe is not allowed unverified).
    const updated = await ClientAuth.updateMe({ body: { displayName: "Renamed" } });
    expect(updated.data?.user.displayName).toBe("Renamed");
    expect(recorder.count("clientAuth.refresh")).toBe(0);
    dispose();
  });

  it("stores the tokens of signIn without help and forgets them on signOut", async () => {
    const setup = newClient(gatehouse);
    const user = await signUpWith(setup, tenantKey);
    setup.dispose();

    const { ClientAuth, hooks, dispose } = newClient(gatehouse);
    const changes: (StoredTokens | null)[] = [];
    hooks.onSessionChange((tokens) => changes.push(tokens));
    const signedIn = await ClientAuth.signIn({ body: { tenantKey, userId: user.userId, password: PASSWORD } });
    expect(signedIn.error).toBeUndefined();
    expect((await ClientAuth.me()).data?.user.userId).toBe(user.userId);

    const out = await ClientAuth.signOut();
    expect(out.data).toEqual({ success: true });
    expect(await hooks.getTokens()).toBeNull();
    expect(changes.map((c) => c?.accessToken ?? null)).toEqual([signedIn.data?.accessToken, null]);
    const after = await ClientAuth.me();
    expect(after.error).toMatchObject({ appCode: "auth/Unauthenticated", status: 401 });
    dispose();
  });
});

describe.skipIf(!hasRedis)("the auth link", () => {
  it("makes exactly one refresh for 10 concurrent calls with a revoked access token, then retries each once", async () => {
    const { tokens, user } = await revokedAccessTokenWithLiveRefreshToken();
    const client = newClient(gatehouse, { tokenStore: memoryTokenStore(tokens) });
    const results = await Promise.all(Array.from({ length: 10 }, () => client.ClientAuth.me()));

    expect(results.map((r) => r.error)).toEqual(Array(10).fill(undefined));
    expect(results.every((r) => r.data?.user.userId === user.userId)).toBe(true);
    expect(client.recorder.count("clientAuth.refresh")).toBe(1);
    // Each call: the refused try and one retry.
    expect(client.recorder.count("clientAuth.me")).toBe(20);
    const stored = await client.hooks.getTokens();
    expect(stored?.accessToken).not.toBe(tokens.accessToken);
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    client.dispose();
  });

  it("clears the session once, and reports it once, when the refresh token is dead", async () => {
    const { tokens, deadRefreshToken } = await revokedAccessTokenWithLiveRefreshToken();
    const client = newClient(gatehouse, { tokenStore: memoryTokenStore({ ...tokens, refreshToken: deadRefreshToken }) });
    const changes: { tokens: StoredTokens | null; change: SessionChange }[] = [];
    client.hooks.onSessionChange((t, change) => changes.push({ tokens: t, change }));

    const results = await Promise.all(Array.from({ length: 10 }, () => client.ClientAuth.me()));
    for (const r of results) expect(r.error).toMatchObject({ appCode: "auth/Unauthenticated", status: 401 });
    expect(client.recorder.count("clientAuth.refresh")).toBe(1);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.tokens).toBeNull();
    expect(changes[0]!.change.reason).toBe("refreshFailed");
    expect(changes[0]!.change.error).toMatchObject({ appCode: "auth/InvalidRefreshToken", status: 401 });
    expect(await client.hooks.getTokens()).toBeNull();

    // Signed out now: later calls neither refresh nor report again.
    expect((await client.ClientAuth.me()).error?.appCode).toBe("auth/Unauthenticated");
    await client.hooks.clear();
    expect(client.recorder.count("clientAuth.refresh")).toBe(1);
    expect(changes).toHaveLength(1);
    client.dispose();
  });

  it("does not refresh on a wrong OTP (401 emailVerification/InvalidCode) nor on wrong credentials", async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    const before = await client.hooks.getTokens();
    expect((await client.ClientEmailVerification.sendVerification({ body: { email: user.email } })).error).toBeUndefined();
    const right = gatehouse.smtp.latestCode(user.email);
    const wrong = right === "000000" ? "000001" : "000000";

    const res = await client.ClientEmailVerification.verifyEmail({ body: { code: wrong } });
    expect(res.error).toMatchObject({ appCode: "emailVerification/InvalidCode", status: 401 });
    const changed = await client.ClientAuth.changePassword({
      body: { currentPassword: "not-the-password-1", newPassword: "another-Long-passphrase-7" },
    });
    expect(changed.error).toMatchObject({ appCode: "auth/InvalidCredentials", status: 401 });

    expect(client.recorder.count("clientAuth.refresh")).toBe(0);
    expect(client.recorder.count("clientEmailVerification.verifyEmail")).toBe(1);
    expect(await client.hooks.getTokens()).toEqual(before);
    client.dispose();
  });

  it("refreshes before the call when the access token is about to expire", async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    // The server's token is good for an hour; tell the SDK it expires in 10 s (inside its 30 s margin).
    await client.hooks.setAccessToken(user.accessToken, new Date(Date.now() + 10_000).toISOString());
    const me = await client.ClientAuth.me();
    expect(me.error).toBeUndefined();
    expect(client.recorder.calls).toEqual(["clientAuth.signUp", "clientAuth.refresh", "clientAuth.me"]);
    const tokens = await client.hooks.getTokens();
    // (The new access token may equal the old one: same claims within the same second.)
    expect(tokens?.refreshToken).not.toBe(user.refreshToken);
    expect(Date.parse(tokens!.accessTokenExpiresAt!)).toBeGreaterThan(Date.now() + 30_000);
    client.dispose();
  });

  it("shares one refresh between tabs that share a store (Web Locks and BroadcastChannel)", async () => {
    const { tokens } = await revokedAccessTokenWithLiveRefreshToken();
    // Two "tabs": one localStorage, one lock manager, each with its own SDK client.
    const storage = new Map<string, string>();
    const localStorageLike: StorageLike = {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    };
    let tail: Promise<unknown> = Promise.resolve();
    const lockNames = new Set<string>();
    const locks: LocksLike = {
      request(name, callback) {
        lockNames.add(name);
        const run = tail.then(() => callback(null));
        tail = run.catch(() => undefined);
        return run;
      },
    };
    const store = () => browserStorageTokenStore({ storage: localStorageLike, shared: true, key: "gh-test" });
    await store().set(tokens);
    const tabA = newClient(gatehouse, { tokenStore: store(), locks });
    const tabB = newClient(gatehouse, { tokenStore: store(), locks });
    const heardInB: (StoredTokens | null)[] = [];
    await tabB.hooks.getTokens();
    tabB.hooks.onSessionChange((t) => heardInB.push(t));

    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => tabA.ClientAuth.me()),
      ...Array.from({ length: 5 }, () => tabB.ClientAuth.me()),
    ]);
    expect(results.map((r) => r.error)).toEqual(Array(10).fill(undefined));
    expect(tabA.recorder.count("clientAuth.refresh") + tabB.recorder.count("clientAuth.refresh")).toBe(1);
    expect([...lockNames]).toEqual(["gatehouse-refresh"]);
    const [a, b] = [await tabA.hooks.getTokens(), await tabB.hooks.getTokens()];
    expect(a).toEqual(b);
    expect(a?.accessToken).not.toBe(tokens.accessToken);

    // A sign-out in one tab reaches the other through the channel.
    await tabA.ClientAuth.signOut();
    await expect.poll(() => heardInB.at(-1), { timeout: 2000 }).toBeNull();
    tabA.dispose();
    tabB.dispose();
  });

  it("keeps the session when a refresh cannot be done now (server unreachable)", async () => {
    const store = memoryTokenStore({
      accessToken: "not-a-jwt-but-long-enough",
      accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString(),
      refreshToken: "family.secret",
      refreshTokenExpiresAt: null,
    });
    const client = createGatehouseClient({ baseUrl: "http://127.0.0.1:9", tokenStore: store });
    const changes: unknown[] = [];
    client.hooks.onSessionChange((t) => changes.push(t));
    const me = await client.ClientAuth.me();
    expect(me.error).toMatchObject({ appCode: "network/Unavailable", status: 0 });
    expect((await client.hooks.getTokens())?.refreshToken).toBe("family.secret");
    expect(changes).toEqual([]);
    client.dispose();
  });
});
