import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createGatehouseClient,
  type FetchLike,
  type GatehouseClient,
  type SessionChange,
  type StoredTokens,
  type TokenStore,
} from "../src";
import { memoryTokenStore } from "../src/token-store";
import { createTenant, hasRedis, newClient, PASSWORD, signUpWith, startGatehouse, type Gatehouse } from "./support";

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

const pathOf = (input: string | URL | Request) =>
  decodeURIComponent(new URL(input instanceof Request ? input.url : String(input)).pathname.replace(/^\/api\/trpc\//, ""));

/**
 * A fetch that holds every clientAuth.refresh request until `release()`, so a second refresh
 * asked for meanwhile surely overlaps the first (as an automatic refresh and a manual one do
 * when the app calls refresh while a call is refreshing).
 */
function heldRefreshFetch() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
  const refreshBodies: string[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    if (pathOf(input) === "clientAuth.refresh") {
      refreshBodies.push(String(init?.body));
      arrived();
      await released;
    }
    return fetch(input, init);
  };
  return { fetch: fetchImpl, release, firstArrived, refreshBodies };
}

/** Stored tokens whose access token the SDK thinks expires in 5 s: the next call refreshes first. */
async function expiringSession(client: GatehouseClient) {
  const user = await signUpWith(client, tenantKey);
  await client.hooks.setAccessToken(user.accessToken, new Date(Date.now() + 5_000).toISOString());
  return user;
}

type ManualRefresh = (client: GatehouseClient, stored: StoredTokens) => Promise<{ accessToken: string | null } | null>;

/** The ways an app asks for a refresh; each must join the automatic one, not race it. */
const manualRefreshes: [string, ManualRefresh][] = [
  [
    "ClientAuth.refresh() with no body",
    async (client) => {
      const res = await client.ClientAuth.refresh();
      if (res.error) throw res.error;
      expect(res.data.user.displayName).toBe("SDK User");
      return res.data;
    },
  ],
  [
    "ClientAuth.refresh with the stored refresh token",
    async (client, stored) => {
      const res = await client.ClientAuth.refresh({ body: { refreshToken: stored.refreshToken! } });
      if (res.error) throw res.error;
      return res.data;
    },
  ],
  ["trpc.clientAuth.refresh.mutate", (client, stored) => client.trpc.clientAuth.refresh.mutate({ refreshToken: stored.refreshToken! })],
  ["hooks.refresh()", (client) => client.hooks.refresh()],
];

describe.skipIf(!hasRedis)("a manual refresh while an automatic one runs", () => {
  it.each(manualRefreshes)("%s joins it: one refresh request, and the session lives on", async (_, manualRefresh) => {
    const held = heldRefreshFetch();
    const client = createGatehouseClient({ baseUrl: gatehouse.url, fetch: held.fetch });
    await expiringSession(client);
    const stored = (await client.hooks.getTokens())!;

    const me = client.ClientAuth.me();
    await held.firstArrived;
    const manual = manualRefresh(client, stored);
    // Give the manual refresh every chance to send its own request before the first one answers.
    await new Promise((resolve) => setTimeout(resolve, 100));
    held.release();
    const [meRes, refreshed] = await Promise.all([me, manual]);

    expect(meRes.error).toBeUndefined();
    expect(held.refreshBodies).toHaveLength(1);
    const now = await client.hooks.getTokens();
    expect(now?.refreshToken).not.toBe(stored.refreshToken);
    expect(refreshed?.accessToken).toBe(now?.accessToken);
    // Presenting the old token twice would have ended the session on the server.
    expect((await client.ClientAuth.me()).error).toBeUndefined();
    client.dispose();
  });

  it("rotates the stored session when called alone, and answers the contract's Session", async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    const res = await client.ClientAuth.refresh();
    expect(res.error).toBeUndefined();
    expect(res.data?.user.userId).toBe(user.userId);
    expect(res.data?.refreshToken).not.toBe(user.refreshToken);
    expect((await client.hooks.getTokens())?.refreshToken).toBe(res.data?.refreshToken);
    expect(client.recorder.count("clientAuth.refresh")).toBe(1);
    client.dispose();
  });

  it("with no session and no body, passes the call to the server, which says the token is missing", async () => {
    const client = newClient(gatehouse);
    const res = await client.ClientAuth.refresh();
    expect(res.error).toMatchObject({ appCode: "validation/Invalid", status: 400 });
    expect(client.recorder.calls).toEqual(["clientAuth.refresh"]);
    client.dispose();
  });

  it("takes over the session of a refresh token the app passes that is not the stored one", async () => {
    const client = newClient(gatehouse);
    const mine = await signUpWith(client, tenantKey);
    const other = newClient(gatehouse);
    const theirs = await signUpWith(other, tenantKey);
    other.dispose();

    const changes: SessionChange[] = [];
    client.hooks.onSessionChange((_, change) => changes.push(change));
    const res = await client.ClientAuth.refresh({ body: { refreshToken: theirs.refreshToken } });
    expect(res.data?.user.userId).toBe(theirs.userId);
    expect((await client.hooks.getTokens())?.refreshToken).toBe(res.data?.refreshToken);
    expect(changes.map((c) => c.reason)).toEqual(["refreshed"]);
    // The SDK's former session is not signed out: its refresh token still works elsewhere.
    const former = await newClient(gatehouse).ClientAuth.refresh({ body: { refreshToken: mine.refreshToken } });
    expect(former.data?.user.userId).toBe(mine.userId);

    // A refused token leaves the stored session as it was.
    const stored = await client.hooks.getTokens();
    const refused = await client.ClientAuth.refresh({ body: { refreshToken: "not-a-family.not-a-secret" } });
    expect(refused.error).toMatchObject({ appCode: "auth/InvalidRefreshToken", status: 401 });
    expect(await client.hooks.getTokens()).toEqual(stored);
    client.dispose();
  });
});

describe.skipIf(!hasRedis)("a refresh that fails on the network", () => {
  it("reports the network error, not the 401 that called for it, and keeps the session", async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    // An access token the server refuses (401 auth/Unauthenticated), so the SDK refreshes after it.
    await client.hooks.setAccessToken("refused-access-token", new Date(Date.now() + 3_600_000).toISOString());
    const changes: (StoredTokens | null)[] = [];
    client.hooks.onSessionChange((tokens) => changes.push(tokens));
    // The outage: refreshes cannot reach the server (connection refused).
    client.recorder.tamper = (url, init) =>
      url.includes("clientAuth.refresh") ? { url: "http://127.0.0.1:9/api/trpc/clientAuth.refresh", init } : { url, init };

    const me = await client.ClientAuth.me();
    expect(me.error).toMatchObject({ appCode: "network/Unavailable", status: 0 });
    expect(client.recorder.calls).toEqual(["clientAuth.signUp", "clientAuth.me", "clientAuth.refresh"]);
    expect((await client.hooks.getTokens())?.refreshToken).toBe(user.refreshToken);
    expect(changes).toEqual([]);

    // The network is back: the same session carries on.
    client.recorder.tamper = undefined;
    expect((await client.ClientAuth.me()).data?.user.userId).toBe(user.userId);
    client.dispose();
  });

  it("reports a 5xx of the refresh as itself", async () => {
    const client = newClient(gatehouse);
    const user = await signUpWith(client, tenantKey);
    await client.hooks.setAccessToken("refused-access-token", null);
    const unavailable = {
      error: { message: "Down", code: -32603, data: { appCode: "service/Unavailable", httpStatus: 503, path: "clientAuth.refresh" } },
    };
    client.recorder.tamper = (url, init) =>
      url.includes("clientAuth.refresh") ? Response.json(unavailable, { status: 503 }) : { url, init };
    const me = await client.ClientAuth.me();
    expect(me.error).toMatchObject({ appCode: "service/Unavailable", status: 503 });
    expect((await client.hooks.getTokens())?.refreshToken).toBe(user.refreshToken);
    client.dispose();
  });
});

/** A store whose writes fail while `broken` is set (a full or locked secure store, say). */
function breakableStore() {
  const inner = memoryTokenStore();
  const failure = new Error("QuotaExceededError: the store is full");
  const store: TokenStore & { broken: boolean; failure: Error } = {
    broken: true,
    failure,
    get: () => inner.get(),
    set: (tokens) => {
      if (store.broken) throw failure;
      return inner.set(tokens);
    },
  };
  return store;
}

describe.skipIf(!hasRedis)("a token store that cannot write", () => {
  it("turns a sign-in into client/TokenStoreFailed (cause kept) and ends the session nobody holds", async () => {
    const setup = newClient(gatehouse);
    const user = await signUpWith(setup, tenantKey);
    const store = breakableStore();
    const client = newClient(gatehouse, { tokenStore: store });

    const res = await client.ClientAuth.signIn({ body: { tenantKey, userId: user.userId, password: PASSWORD } });
    expect(res.error).toMatchObject({ appCode: "client/TokenStoreFailed", status: 0 });
    expect(res.error?.cause).toBe(store.failure);
    expect(client.recorder.calls).toEqual(["clientAuth.signIn", "clientAuth.signOut"]);
    // Only the sign-up's session is left; the orphaned sign-in was signed out.
    const sessions = await setup.ClientAuth.listSessions();
    expect(sessions.data?.items.map((s) => s.current)).toEqual([true]);
    setup.dispose();
    client.dispose();
  });

  it("turns a refresh into client/TokenStoreFailed and ends the new session", async () => {
    const store = breakableStore();
    store.broken = false;
    const client = newClient(gatehouse, { tokenStore: store });
    const user = await signUpWith(client, tenantKey);
    store.broken = true;

    const res = await client.ClientAuth.refresh({ body: { refreshToken: user.refreshToken } });
    expect(res.error).toMatchObject({ appCode: "client/TokenStoreFailed", status: 0 });
    expect(res.error?.cause).toBe(store.failure);
    expect(client.recorder.calls).toEqual(["clientAuth.signUp", "clientAuth.refresh", "clientAuth.signOut"]);
    // The sign-up's session was rotated, then ended: a new sign-in is the only live session.
    const fresh = newClient(gatehouse);
    expect((await fresh.ClientAuth.signIn({ body: { tenantKey, userId: user.userId, password: PASSWORD } })).error).toBeUndefined();
    expect((await fresh.ClientAuth.listSessions()).data?.items).toHaveLength(1);
    fresh.dispose();
    client.dispose();
  });
});

describe.skipIf(!hasRedis)("signOut with no session", () => {
  it("is a successful no-op, without a request", async () => {
    const client = newClient(gatehouse);
    const changes: unknown[] = [];
    client.hooks.onSessionChange((tokens) => changes.push(tokens));
    const res = await client.ClientAuth.signOut();
    expect(res).toEqual({ data: { success: true }, error: undefined });
    expect(await client.trpc.clientAuth.signOut.mutate()).toEqual({ success: true });
    expect(client.recorder.calls).toEqual([]);
    expect(changes).toEqual([]);
    client.dispose();
  });

  it("still sends a refresh token given in the body, which the server refuses without an access token", async () => {
    const client = newClient(gatehouse);
    const res = await client.ClientAuth.signOut({ body: { refreshToken: "some-family.some-secret" } });
    expect(res.error).toMatchObject({ appCode: "auth/Unauthenticated", status: 401 });
    expect(client.recorder.calls).toEqual(["clientAuth.signOut"]);
    client.dispose();
  });
});
