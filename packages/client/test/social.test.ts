import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomIp, signedInStaff, type TestStaff } from "@gatehouse/api/testing";
import { defaultNaverPerson, startStandIns, type StandIns } from "@gatehouse/provider-stand-ins";
import type { GatehouseClient, StorageLike } from "../src";
import { createTenant, hasRedis, newClient, startGatehouse, unique, type Gatehouse, type RecordingFetch } from "./support";

/**
 * ClientSocial against the real server and the provider stand-ins (real protocols on 127.0.0.1):
 * start keeps a state and a PKCE verifier and sends only the S256 challenge; the "browser" here
 * follows the provider's and Gatehouse's redirects itself; handleCallback checks the state before
 * any call, exchanges, and stores the session. The tenant is configured through backOffice.
 */

const REDIRECT_URI = "https://app.example.com/auth/callback";

let gatehouse: Gatehouse;
let standIns: StandIns;
let admin: TestStaff;
let tenantKey: string;

beforeAll(async () => {
  if (!hasRedis) return;
  standIns = await startStandIns();
  gatehouse = await startGatehouse(standIns.env);
  admin = await signedInStaff(gatehouse.url, randomIp(), "admin");
  tenantKey = (await createTenant()).key;
  const bo = admin.api.backOffice;
  await bo.tenants.update.mutate({ key: tenantKey, redirectUris: [REDIRECT_URI] });
  for (const provider of ["google", "kakao", "naver"] as const) {
    const { clientId, clientSecret } = standIns.credentials[provider];
    await bo.socialProviders.set.mutate({ tenantKey, provider, clientId, clientSecret, enabled: true });
  }
});
afterAll(async () => {
  await gatehouse?.close();
  await standIns?.stop();
});

/** sessionStorage's stand-in: what start keeps, readable by the test. */
function inspectableStorage(): StorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** A client whose requests' bodies are kept too (to see what start sent). */
function socialClient(
  storage = inspectableStorage(),
): GatehouseClient & { recorder: RecordingFetch; storage: typeof storage; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const client = newClient(gatehouse, { socialStorage: storage });
  client.recorder.tamper = (url, init) => {
    if (typeof init.body === "string") bodies.push(JSON.parse(init.body));
    return { url, init };
  };
  return Object.assign(client, { storage, bodies });
}

/** The browser's part: the provider's page (consent given at once), then Gatehouse's callback, to where the app is sent back. */
async function followToApp(authorizationUrl: string): Promise<URL> {
  const atProvider = await fetch(authorizationUrl, { redirect: "manual" });
  expect(atProvider.status).toBe(302);
  const callback = new URL(atProvider.headers.get("location")!);
  // The callback is on Gatehouse's public URL (APP_URL); this test's Gatehouse listens elsewhere.
  expect(callback.origin).toBe(gatehouse.issuer);
  const back = await fetch(`${gatehouse.url}${callback.pathname}${callback.search}`, { redirect: "manual" });
  expect(back.status).toBe(302);
  return new URL(back.headers.get("location")!);
}

const gmailPerson = () => ({
  sub: `1${Date.now()}${Math.floor(Math.random() * 1e6)}`,
  email: `${unique("sdk").toLowerCase()}@gmail.com`,
  email_verified: true,
  name: "Social SDK",
});

describe.skipIf(!hasRedis)("ClientSocial, the browser flow", () => {
  it("start sends a state and an S256 challenge (never the verifier), keeps them, and handleCallback signs in", async () => {
    const client = socialClient();
    const person = gmailPerson();
    standIns.google.signInAs(person);

    const started = await client.ClientSocial.start({ tenantKey, provider: "google", redirectUri: REDIRECT_URI, redirect: false });
    if (started.error) throw started.error;
    expect(new URL(started.data.authorizationUrl).origin).toBe(new URL(standIns.google.issuer).origin);
    const sent = client.bodies.at(-1) as { state: string; codeChallenge: string; tenantKey: string; provider: string; redirectUri: string };
    expect(sent).toMatchObject({ tenantKey, provider: "google", redirectUri: REDIRECT_URI });
    expect(sent.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.codeChallenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(sent)).not.toContain("codeVerifier");
    const kept = JSON.parse(client.storage.items.get("gatehouse.social")!) as Record<string, { codeVerifier: string; tenantKey: string }>;
    const entry = kept[sent.state]!;
    expect(entry).toMatchObject({ tenantKey, provider: "google", redirectUri: REDIRECT_URI });
    // The challenge is the S256 of the verifier kept for the callback.
    expect(createHash("sha256").update(entry.codeVerifier).digest("base64url")).toBe(sent.codeChallenge);

    const back = await followToApp(started.data.authorizationUrl);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get("state")).toBe(sent.state);

    const signedIn = await client.ClientSocial.handleCallback(back);
    if (signedIn.error) throw signedIn.error;
    expect(signedIn.data.isNewUser).toBe(true);
    expect(signedIn.data.user).toMatchObject({ tenantKey, email: person.email, hasPassword: false, source: "self_signup" });
    expect(signedIn.data.user.userId).toMatch(/^google-/);
    // The session is stored (as signIn's) and works; the state is spent.
    expect(await client.hooks.getTokens()).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect((await client.ClientAuth.me()).data?.user.id).toBe(signedIn.data.user.id);
    expect(client.storage.items.has("gatehouse.social")).toBe(false);
    const identities = await client.ClientSocial.listIdentities();
    expect(identities.data?.items).toEqual([{ provider: "google", email: person.email, linkedAt: expect.any(String) }]);

    // The same link again: refused before any request (the state was spent).
    const exchanges = client.recorder.count("clientSocial.exchange");
    const replay = await client.ClientSocial.handleCallback(back);
    expect(replay.error?.appCode).toBe("social/InvalidState");
    expect(replay.error?.status).toBe(400);
    expect(client.recorder.count("clientSocial.exchange")).toBe(exchanges);
    client.dispose();
  });

  it("refuses a state this browser did not store without calling the server", async () => {
    const client = socialClient();
    const forged = await client.ClientSocial.handleCallback(`${REDIRECT_URI}?code=abc&state=someone-elses-state`);
    expect(forged.error?.appCode).toBe("social/InvalidState");
    const noState = await client.ClientSocial.handleCallback(`${REDIRECT_URI}?code=abc`);
    expect(noState.error?.appCode).toBe("social/InvalidState");
    expect(client.recorder.calls).toEqual([]);
    client.dispose();
  });

  it("a link started in one browser does not finish in another (its storage has no such state)", async () => {
    standIns.naver.signInAs({ ...defaultNaverPerson, key: unique("naver"), email: `${unique("nv").toLowerCase()}@naver.example` });
    const first = socialClient();
    const started = await first.ClientSocial.start({ tenantKey, provider: "naver", redirectUri: REDIRECT_URI, redirect: false });
    if (started.error) throw started.error;
    const back = await followToApp(started.data.authorizationUrl);
    const other = socialClient();
    expect((await other.ClientSocial.handleCallback(back)).error?.appCode).toBe("social/InvalidState");
    expect(other.recorder.count("clientSocial.exchange")).toBe(0);
    // The browser that started it still can.
    const signedIn = await first.ClientSocial.handleCallback(back);
    expect(signedIn.error).toBeUndefined();
    expect(signedIn.data?.user.userId).toMatch(/^naver-/);
    first.dispose();
    other.dispose();
  });

  it("Cancel at the provider comes back as social/AccessDenied, status 0, with no exchange", async () => {
    const client = socialClient();
    const started = await client.ClientSocial.start({ tenantKey, provider: "kakao", redirectUri: REDIRECT_URI, redirect: false });
    if (started.error) throw started.error;
    standIns.kakao.deny();
    const back = await followToApp(started.data.authorizationUrl);
    expect(back.searchParams.get("error")).toBe("social/AccessDenied");
    const res = await client.ClientSocial.handleCallback(back);
    expect(res.error?.appCode).toBe("social/AccessDenied");
    expect(res.error?.serverAppCode).toBe("social/AccessDenied");
    expect(res.error?.status).toBe(0);
    expect(client.recorder.count("clientSocial.exchange")).toBe(0);
    expect(await client.hooks.getTokens()).toBeNull();
    // Spent: the same link again is a state this browser no longer has.
    expect((await client.ClientSocial.handleCallback(back)).error?.appCode).toBe("social/InvalidState");
    client.dispose();
  });

  it("an error value this SDK does not know arrives as client/UnexpectedAppCode with the value as sent", async () => {
    const client = socialClient();
    const started = await client.ClientSocial.start({ tenantKey, provider: "google", redirectUri: REDIRECT_URI, redirect: false });
    if (started.error) throw started.error;
    const state = (client.bodies.at(-1) as { state: string }).state;
    const res = await client.ClientSocial.handleCallback(`${REDIRECT_URI}?error=${encodeURIComponent("future/Thing")}&state=${state}`);
    expect(res.error?.appCode).toBe("client/UnexpectedAppCode");
    if (res.error?.appCode === "client/UnexpectedAppCode") expect(res.error.serverAppCode).toBe("future/Thing");
    client.dispose();
  });

  it("sends the stored verifier: one that does not match the challenge is refused (social/InvalidCode) and burns the code", async () => {
    standIns.google.signInAs(gmailPerson());
    const client = socialClient();
    const started = await client.ClientSocial.start({ tenantKey, provider: "google", redirectUri: REDIRECT_URI, redirect: false });
    if (started.error) throw started.error;
    const back = await followToApp(started.data.authorizationUrl);
    // Another browser's verifier in place of ours (same shape, wrong value).
    const kept = JSON.parse(client.storage.items.get("gatehouse.social")!) as Record<string, { codeVerifier: string }>;
    for (const entry of Object.values(kept)) entry.codeVerifier = "A".repeat(43);
    client.storage.items.set("gatehouse.social", JSON.stringify(kept));
    const res = await client.ClientSocial.handleCallback(back);
    expect(res.error?.appCode).toBe("social/InvalidCode");
    expect(res.error?.status).toBe(401);
    expect(await client.hooks.getTokens()).toBeNull();
    client.dispose();
  });

  it("two handleCallback calls for one URL (React StrictMode) share one exchange", async () => {
    standIns.google.signInAs(gmailPerson());
    const client = socialClient();
    const started = await client.ClientSocial.start({ tenantKey, provider: "google", redirectUri: REDIRECT_URI, redirect: false });
    if (started.error) throw started.error;
    const back = await followToApp(started.data.authorizationUrl);
    const [a, b] = await Promise.all([client.ClientSocial.handleCallback(back), client.ClientSocial.handleCallback(back.href)]);
    expect(a.error).toBeUndefined();
    expect(b).toBe(a);
    expect(client.recorder.count("clientSocial.exchange")).toBe(1);
    client.dispose();
  });

  it("start's refusals are typed answers, and nothing is kept for them", async () => {
    const client = socialClient();
    const notListed = await client.ClientSocial.start({
      tenantKey,
      provider: "google",
      redirectUri: "https://evil.example/cb",
      redirect: false,
    });
    expect(notListed.error?.appCode).toBe("social/RedirectUriNotAllowed");
    const missing = await client.ClientSocial.start({
      tenantKey: "no-such-tenant",
      provider: "google",
      redirectUri: REDIRECT_URI,
      redirect: false,
    });
    expect(missing.error?.appCode).toBe("tenant/NotFound");
    expect(client.storage.items.size).toBe(0);
    client.dispose();
  });
});

describe.skipIf(!hasRedis)("ClientSocial, storage that fails", () => {
  it("start answers client/TokenStoreFailed when the state cannot be kept (rather than leave for a callback that cannot finish)", async () => {
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      },
      removeItem: () => {},
    };
    const client = newClient(gatehouse, { socialStorage: full });
    const res = await client.ClientSocial.start({ tenantKey, provider: "google", redirectUri: REDIRECT_URI, redirect: false });
    expect(res.error?.appCode).toBe("client/TokenStoreFailed");
    expect(res.error?.cause).toBeInstanceOf(DOMException);
    client.dispose();
  });

  it("handleCallback answers social/InvalidState when the storage cannot be read", async () => {
    const blocked: StorageLike = {
      getItem: () => {
        throw new DOMException("Access is denied for this document.", "SecurityError");
      },
      setItem: () => {},
      removeItem: () => {},
    };
    const client = newClient(gatehouse, { socialStorage: blocked });
    const res = await client.ClientSocial.handleCallback(`${REDIRECT_URI}?code=abc&state=xyz`);
    expect(res.error?.appCode).toBe("social/InvalidState");
    expect(client.recorder.calls).toEqual([]);
    client.dispose();
  });
});

describe.skipIf(!hasRedis)("ClientSocial, native apps", () => {
  it("signInWithToken with a Google id_token stores the session; a foreign token is social/InvalidProviderToken", async () => {
    const client = socialClient();
    const person = gmailPerson();
    standIns.google.signInAs(person);
    const idToken = await standIns.google.mintIdToken({ aud: standIns.credentials.google.clientId });
    const res = await client.ClientSocial.signInWithToken({ body: { tenantKey, provider: "google", idToken } });
    if (res.error) throw res.error;
    expect(res.data.user.email).toBe(person.email);
    expect((await client.hooks.getTokens())?.refreshToken).toBe(res.data.refreshToken);

    const other = socialClient();
    const foreign = await standIns.google.mintIdToken({ aud: "another-app.apps.googleusercontent.com" });
    const refused = await other.ClientSocial.signInWithToken({ body: { tenantKey, provider: "google", idToken: foreign } });
    expect(refused.error?.appCode).toBe("social/InvalidProviderToken");
    expect(refused.error?.status).toBe(401);
    expect(await other.hooks.getTokens()).toBeNull();
    client.dispose();
    other.dispose();
  });
});
