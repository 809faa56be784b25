import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startNaverStandIn, startStandIns, type StandIns } from "@gatehouse/provider-stand-ins";
import { calculatePKCECodeChallenge, randomNonce, randomPKCECodeVerifier, randomState } from "openid-client";
import { loadConfig, setConfig } from "../src/config";
import {
  ProviderFailure,
  type ProviderCredentials,
  type ProviderFailureKind,
  type SocialProviderAdapter,
} from "../src/services/social/provider";
import { providerAdapter } from "../src/services/social/providers";
import { JWKS_REFETCH_INTERVAL_MS } from "../src/services/social/providers/google";

/**
 * The three provider adapters against the local stand-ins over real HTTP on 127.0.0.1: the code
 * round trip (following the authorize redirect with fetch), native tokens, and how each failure
 * maps to a ProviderFailure kind.
 */

let standIns: StandIns;
const callbackUrl = "http://127.0.0.1:3999/api/social/callback";

function useEndpoints(env: Record<string, string> = {}) {
  setConfig(loadConfig({ ...process.env, ...standIns.env, ...env }, "test"));
}

beforeAll(async () => {
  standIns = await startStandIns({ consent: "auto" });
  useEndpoints();
});
afterAll(() => standIns.stop());
afterEach(() => {
  standIns.google.setMode("ok");
  standIns.kakao.setMode("ok");
  standIns.naver.setMode("ok");
  useEndpoints();
});

function credentials(provider: "google" | "kakao" | "naver", extra: Partial<ProviderCredentials> = {}): ProviderCredentials {
  const c = standIns.credentials[provider];
  return {
    provider,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    nativeClientIds: "nativeClientIds" in c ? c.nativeClientIds : [],
    scopes: [],
    ...extra,
  };
}

/** One browser round trip: authorize (following the stand-in's redirect) then completeAuthorization. */
async function roundTrip(
  adapter: SocialProviderAdapter,
  creds: ProviderCredentials,
  tamper: { state?: string; nonce?: string; codeVerifier?: string } = {},
) {
  const state = randomState();
  const nonce = randomNonce();
  const codeVerifier = randomPKCECodeVerifier();
  const authorizationUrl = new URL(
    await adapter.authorizationUrl(creds, { callbackUrl, state, nonce, codeChallenge: await calculatePKCECodeChallenge(codeVerifier) }),
  );
  const answer = await fetch(authorizationUrl, { redirect: "manual" });
  expect(answer.status).toBe(302);
  const currentUrl = new URL(answer.headers.get("location")!);
  expect(`${currentUrl.origin}${currentUrl.pathname}`).toBe(callbackUrl);
  const profile = adapter.completeAuthorization(creds, {
    callbackUrl,
    currentUrl,
    state: tamper.state ?? state,
    nonce: tamper.nonce ?? nonce,
    codeVerifier: tamper.codeVerifier ?? codeVerifier,
  });
  return { authorizationUrl, currentUrl, profile };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderFailureKind> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderFailure);
  return (error as ProviderFailure).kind;
}

/** A TCP server that accepts connections and never answers. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe("google", () => {
  const google = providerAdapter("google");

  it("round trip: PKCE S256, nonce and openid scope sent; the id_token's person comes back", async () => {
    standIns.google.signInAs({ sub: "g-1", email: "Someone@Gmail.com", email_verified: true, name: "Some One" });
    const { authorizationUrl, profile } = await roundTrip(google, credentials("google", { scopes: ["email"] }));
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("nonce")).toBeTruthy();
    expect(authorizationUrl.searchParams.get("scope")).toBe("openid email");
    expect(authorizationUrl.searchParams.get("redirect_uri")).toBe(callbackUrl);
    await expect(profile).resolves.toEqual({
      providerUserId: "g-1",
      email: "someone@gmail.com",
      emailVerified: true,
      displayName: "Some One",
    });
  });

  it("default scopes are openid email profile", async () => {
    const { authorizationUrl, profile } = await roundTrip(google, credentials("google"));
    expect(authorizationUrl.searchParams.get("scope")).toBe("openid email profile");
    await profile;
  });

  it.each([
    ["a non-Gmail address without hd", { email: "a@example.com", email_verified: true }, false],
    ["a Workspace address whose hd is its domain", { email: "a@corp.example", email_verified: true, hd: "corp.example" }, true],
    ["a Workspace hd that is not the address's domain", { email: "a@other.example", email_verified: true, hd: "corp.example" }, false],
    ["a Gmail address Google does not call verified", { email: "a@gmail.com", email_verified: false }, false],
  ])("emailVerified is false unless Google is authoritative: %s", async (_name, person, verified) => {
    standIns.google.signInAs({ sub: "g-2", ...person });
    const { profile } = await roundTrip(google, credentials("google"));
    expect((await profile).emailVerified).toBe(verified);
  });

  it("a wrong PKCE verifier, a wrong nonce or a wrong state is refused", async () => {
    expect(
      await failureOf(roundTrip(google, credentials("google"), { codeVerifier: randomPKCECodeVerifier() }).then((r) => r.profile)),
    ).toBe("refused");
    expect(await failureOf(roundTrip(google, credentials("google"), { nonce: randomNonce() }).then((r) => r.profile))).toBe("refused");
    expect(await failureOf(roundTrip(google, credentials("google"), { state: randomState() }).then((r) => r.profile))).toBe("refused");
  });

  it("a wrong client secret is refused", async () => {
    const { profile } = await roundTrip(google, credentials("google", { clientSecret: "wrong" }));
    expect(await failureOf(profile)).toBe("refused");
  });

  it("access_denied on the callback is denied", async () => {
    standIns.google.deny();
    const { currentUrl, profile } = await roundTrip(google, credentials("google"));
    expect(currentUrl.searchParams.get("error")).toBe("access_denied");
    expect(await failureOf(profile)).toBe("denied");
  });

  it("token endpoint down is unreachable; garbage is refused", async () => {
    await google.authorizationUrl(credentials("google"), { callbackUrl, state: "s", nonce: "n", codeChallenge: "c".repeat(43) });
    standIns.google.setMode("down");
    expect(await failureOf(roundTrip(google, credentials("google")).then((r) => r.profile))).toBe("unreachable");
    standIns.google.setMode("garbage");
    expect(await failureOf(roundTrip(google, credentials("google")).then((r) => r.profile))).toBe("refused");
  });

  describe("native id_token", () => {
    const creds = () => credentials("google", { nativeClientIds: ["android-client.apps.googleusercontent.com"] });

    it("accepts the web client id or a native client id as aud", async () => {
      standIns.google.signInAs({ sub: "g-native", email: "native@gmail.com", email_verified: true });
      const web = await standIns.google.mintIdToken({ aud: creds().clientId });
      await expect(google.verifyNativeToken(creds(), web)).resolves.toMatchObject({ providerUserId: "g-native", emailVerified: true });
      const native = await standIns.google.mintIdToken({ aud: "android-client.apps.googleusercontent.com" });
      await expect(google.verifyNativeToken(creds(), native)).resolves.toMatchObject({ providerUserId: "g-native" });
    });

    it("refuses another app's aud, an old iat, an expired token, another issuer, a forged signature and a non-JWT", async () => {
      const now = Math.floor(Date.now() / 1000);
      const aud = creds().clientId;
      const tokens = [
        await standIns.google.mintIdToken({ aud: "someone-else.apps.googleusercontent.com" }),
        await standIns.google.mintIdToken({ aud, iat: now - 601 }),
        await standIns.google.mintIdToken({ aud, iat: now - 120, exp: now - 60 }),
        await standIns.google.mintIdToken({ aud, iss: "https://evil.example" }),
        await standIns.google.forgeIdToken({ aud }),
        "not-a-token",
      ];
      for (const token of tokens) expect(await failureOf(google.verifyNativeToken(creds(), token))).toBe("invalid-token");
      // Still inside the limit: accepted.
      await expect(google.verifyNativeToken(creds(), await standIns.google.mintIdToken({ aud, iat: now - 540 }))).resolves.toBeTruthy();
    });

    it("refetches the JWKS for a kid it has not seen (after rotateKey)", async () => {
      const aud = creds().clientId;
      await google.verifyNativeToken(creds(), await standIns.google.mintIdToken({ aud }));
      await standIns.google.rotateKey();
      await new Promise((r) => setTimeout(r, JWKS_REFETCH_INTERVAL_MS + 50));
      await expect(google.verifyNativeToken(creds(), await standIns.google.mintIdToken({ aud }))).resolves.toBeTruthy();
    });

    it("the code flow keeps working across a key rotation", async () => {
      await (
        await roundTrip(google, credentials("google"))
      ).profile;
      await standIns.google.rotateKey();
      await new Promise((r) => setTimeout(r, JWKS_REFETCH_INTERVAL_MS + 50));
      await expect((await roundTrip(google, credentials("google"))).profile).resolves.toBeTruthy();
    });

    it("the code flow checks the id_token's signature, not only its claims", async () => {
      standIns.google.tamperNextIdToken();
      const { profile } = await roundTrip(google, credentials("google"));
      expect(await failureOf(profile)).toBe("refused");
      await expect((await roundTrip(google, credentials("google"))).profile).resolves.toBeTruthy();
    });

    it("an issuer that does not answer is unreachable", async () => {
      const silent = await silentServer();
      try {
        useEndpoints({ OAUTH_GOOGLE_ISSUER: silent.url, OUTBOUND_TIMEOUT_MS: "300" });
        const started = Date.now();
        const token = await standIns.google.mintIdToken({ aud: creds().clientId });
        expect(await failureOf(google.verifyNativeToken(creds(), token))).toBe("unreachable");
        expect(Date.now() - started).toBeLessThan(3000);
        useEndpoints({ OAUTH_GOOGLE_ISSUER: await closedPortUrl() });
        expect(await failureOf(google.verifyNativeToken(creds(), token))).toBe("unreachable");
      } finally {
        await silent.close();
      }
    });
  });
});

describe("kakao", () => {
  const kakao = providerAdapter("kakao");
  const person = { id: 4_200_000_123, nickname: "Kakao Kim", email: "Kim@Kakao.example", isEmailValid: true, isEmailVerified: true };

  it("round trip with PKCE: default scope profile_nickname gives no email", async () => {
    standIns.kakao.signInAs(person);
    const { authorizationUrl, profile } = await roundTrip(kakao, credentials("kakao"));
    expect(authorizationUrl.pathname).toBe("/oauth/authorize");
    expect(authorizationUrl.searchParams.get("scope")).toBe("profile_nickname");
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    await expect(profile).resolves.toEqual({ providerUserId: "4200000123", email: null, emailVerified: false, displayName: "Kakao Kim" });
  });

  it("with account_email the verified address comes back; an unverified one is not verified", async () => {
    standIns.kakao.signInAs(person);
    const creds = credentials("kakao", { scopes: ["profile_nickname", "account_email"] });
    await expect((await roundTrip(kakao, creds)).profile).resolves.toMatchObject({ email: "kim@kakao.example", emailVerified: true });
    standIns.kakao.signInAs({ ...person, isEmailVerified: false });
    await expect((await roundTrip(kakao, creds)).profile).resolves.toMatchObject({ email: "kim@kakao.example", emailVerified: false });
  });

  it("a wrong verifier, a wrong secret or garbage is refused; access_denied is denied; down is unreachable", async () => {
    expect(await failureOf(roundTrip(kakao, credentials("kakao"), { codeVerifier: randomPKCECodeVerifier() }).then((r) => r.profile))).toBe(
      "refused",
    );
    expect(await failureOf(roundTrip(kakao, credentials("kakao", { clientSecret: "wrong" })).then((r) => r.profile))).toBe("refused");
    standIns.kakao.deny();
    expect(await failureOf(roundTrip(kakao, credentials("kakao")).then((r) => r.profile))).toBe("denied");
    standIns.kakao.setMode("garbage");
    expect(await failureOf(roundTrip(kakao, credentials("kakao")).then((r) => r.profile))).toBe("refused");
    standIns.kakao.setMode("down");
    expect(await failureOf(roundTrip(kakao, credentials("kakao")).then((r) => r.profile))).toBe("unreachable");
  });

  it("a code is single use", async () => {
    const { currentUrl, profile } = await roundTrip(kakao, credentials("kakao"));
    await profile;
    const state = currentUrl.searchParams.get("state")!;
    const again = kakao.completeAuthorization(credentials("kakao"), {
      callbackUrl,
      currentUrl,
      state,
      nonce: "n",
      codeVerifier: randomPKCECodeVerifier(),
    });
    const error = await again.catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "refused" });
    // Kakao's error_description echoes the code: the failure's message never does (it is logged).
    const code = currentUrl.searchParams.get("code")!;
    expect(String((error as Error).message)).not.toContain(code);
    expect((error as Error).cause).toBeUndefined();
  });

  it("native: the token's app_id must be one of nativeClientIds", async () => {
    const appId = Number(credentials("kakao").nativeClientIds[0]);
    const token = standIns.kakao.issueAccessToken({ appId, person });
    await expect(kakao.verifyNativeToken(credentials("kakao"), token)).resolves.toEqual({
      providerUserId: "4200000123",
      email: "kim@kakao.example",
      emailVerified: true,
      displayName: "Kakao Kim",
    });
    const foreign = standIns.kakao.issueAccessToken({ appId: appId + 1, person });
    expect(await failureOf(kakao.verifyNativeToken(credentials("kakao"), foreign))).toBe("invalid-token");
    expect(await failureOf(kakao.verifyNativeToken(credentials("kakao"), "unknown-token"))).toBe("invalid-token");
  });

  it("native: down is unreachable; a stand-in that never answers times out as unreachable", async () => {
    const token = standIns.kakao.issueAccessToken({ appId: Number(credentials("kakao").nativeClientIds[0]), person });
    standIns.kakao.setMode("down");
    expect(await failureOf(kakao.verifyNativeToken(credentials("kakao"), token))).toBe("unreachable");
    standIns.kakao.setMode("hang");
    useEndpoints({ OUTBOUND_TIMEOUT_MS: "300" });
    const started = Date.now();
    expect(await failureOf(kakao.verifyNativeToken(credentials("kakao"), token))).toBe("unreachable");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("the code flow's token request times out as unreachable", async () => {
    useEndpoints({ OUTBOUND_TIMEOUT_MS: "300" });
    standIns.kakao.setMode("hang");
    expect(await failureOf(roundTrip(kakao, credentials("kakao")).then((r) => r.profile))).toBe("unreachable");
  });
});

describe("naver", () => {
  const naver = providerAdapter("naver");
  const person = { key: "naver-person-1", email: "Lee@Naver.example", name: "Lee Naver", nickname: "lee" };

  it("round trip: state sent to the token endpoint, no PKCE, string expires_in accepted, email never verified", async () => {
    standIns.naver.signInAs(person);
    const creds = credentials("naver");
    const { authorizationUrl, profile } = await roundTrip(naver, creds);
    expect(authorizationUrl.pathname).toBe("/oauth2.0/authorize");
    expect(authorizationUrl.searchParams.has("code_challenge")).toBe(false);
    expect(authorizationUrl.searchParams.get("state")).toBeTruthy();
    await expect(profile).resolves.toEqual({
      providerUserId: standIns.naver.idFor(creds.clientId, person),
      email: "lee@naver.example",
      emailVerified: false,
      displayName: "Lee Naver",
    });
  });

  it("token errors (sent with status 200) and garbage are refused; access_denied is denied; down is unreachable", async () => {
    expect(await failureOf(roundTrip(naver, credentials("naver", { clientSecret: "wrong" })).then((r) => r.profile))).toBe("refused");
    standIns.naver.deny();
    const denied = await roundTrip(naver, credentials("naver"));
    expect(denied.currentUrl.searchParams.get("error_description")).toBe("Canceled By User");
    expect(await failureOf(denied.profile)).toBe("denied");
    standIns.naver.setMode("garbage");
    expect(await failureOf(roundTrip(naver, credentials("naver")).then((r) => r.profile))).toBe("refused");
    standIns.naver.setMode("down");
    expect(await failureOf(roundTrip(naver, credentials("naver")).then((r) => r.profile))).toBe("unreachable");
  });

  it("native: a live token gives the per-app id; a bad token is invalid-token", async () => {
    const creds = credentials("naver");
    const token = standIns.naver.issueAccessToken({ clientId: creds.clientId, person });
    await expect(naver.verifyNativeToken(creds, token)).resolves.toMatchObject({
      providerUserId: standIns.naver.idFor(creds.clientId, person),
    });
    expect(standIns.naver.idFor("another-app", person)).not.toBe(standIns.naver.idFor(creds.clientId, person));
    expect(await failureOf(naver.verifyNativeToken(creds, "bad-token"))).toBe("invalid-token");
  });
});

describe("consent page (the stand-ins under pnpm dev)", () => {
  it("says it is a stand-in; Continue redirects with a code, Cancel with access_denied", async () => {
    const naver = await startNaverStandIn({ consent: "page" });
    try {
      naver.registerApp({ clientId: "page-app", clientSecret: "s" });
      const authorize = `${naver.url}/oauth2.0/authorize?${new URLSearchParams({ client_id: "page-app", redirect_uri: callbackUrl, response_type: "code", state: "st" })}`;
      const page = await fetch(authorize, { redirect: "manual" });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("<title>Local stand-in for Naver — not the real Naver</title>");
      expect(html).toContain("Lee Demo");
      // The form re-submits the authorize request with the button's name=value.
      const decide = async (decision: string) => {
        const url = new URL(authorize);
        for (const [, name, value] of html.matchAll(/<button type="submit" name="([^"]+)" value="([^"]+)"/g)) {
          if (value === decision) url.searchParams.set(name!, value);
        }
        const answer = await fetch(url, { redirect: "manual" });
        expect(answer.status).toBe(302);
        return new URL(answer.headers.get("location")!).searchParams;
      };
      const granted = await decide("continue");
      expect(granted.get("code")).toBeTruthy();
      expect(granted.get("state")).toBe("st");
      const cancelled = await decide("cancel");
      expect(cancelled.get("error")).toBe("access_denied");
      expect(cancelled.has("code")).toBe(false);
    } finally {
      await naver.stop();
    }
  });
});
