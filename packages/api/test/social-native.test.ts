import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import { clientAt, expectError, expectInvalidField, hasRedis, unique, useServer, withResponse } from "./kit";
import { setProviderEnabled, socialTenant, useStandIns } from "./social-support";

/**
 * clientSocial.signInWithToken (CONTRACT v2): native apps hand Gatehouse the provider SDK's
 * token; Google's id_token is checked by signature, iss, exp, iat and aud, Kakao's and Naver's
 * access tokens by the provider's own endpoints (stand-ins speaking the real protocol).
 */

describe.skipIf(!hasRedis)("clientSocial.signInWithToken", () => {
  const providers = useStandIns();
  const suite = useServer({ env: providers.env });
  let tenant: Tenant;
  const api = () => clientAt(() => suite.server.url).api;
  beforeAll(async () => {
    tenant = await socialTenant(providers.get());
  });

  const google = (idToken: string, tenantKey = tenant.key) =>
    api().clientSocial.signInWithToken.mutate({ tenantKey, provider: "google", idToken });
  const person = () => ({
    sub: `n${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    email: `${unique("n").toLowerCase()}@gmail.com`,
    email_verified: true,
    name: "Native",
  });

  it("Google id_token for the tenant's client id: a session (no-store), a new user, then the same one", async () => {
    const standIns = providers.get();
    standIns.google.signInAs(person());
    const token = await standIns.google.mintIdToken({ aud: standIns.credentials.google.clientId });
    const { data: first, response } = await withResponse(() => google(token));
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(first.isNewUser).toBe(true);
    expect(first.user.userId).toMatch(/^google-/);
    const second = await google(await standIns.google.mintIdToken({ aud: standIns.credentials.google.clientId }));
    expect(second).toMatchObject({ isNewUser: false, user: { id: first.user.id } });
    const signedIn = await getPrisma().auditEvent.findMany({ where: { target: `user:${first.user.userId}`, action: "user.signedIn" } });
    expect(signedIn.map((e) => e.details)).toEqual([{ method: "google" }, { method: "google" }]);
  });

  it("Google: a native client id is an accepted audience too; another app's, a forged, an expired or a too-old token is 401", async () => {
    const standIns = providers.get();
    const nativeId = "native-android.apps.googleusercontent.com";
    const t = await socialTenant(standIns, { providers: ["google"] });
    await getPrisma().tenantSocialProvider.update({
      where: { tenantId_provider: { tenantId: t.id, provider: "google" } },
      data: { nativeClientIds: [nativeId] },
    });
    standIns.google.signInAs(person());
    expect((await google(await standIns.google.mintIdToken({ aud: nativeId }), t.key)).isNewUser).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await standIns.google.mintIdToken({ aud: "another-app.apps.googleusercontent.com" }),
      await standIns.google.forgeIdToken({ aud: nativeId }),
      await standIns.google.mintIdToken({ aud: nativeId, iat: now - 3600, exp: now - 60 }),
      // Still valid by exp, but issued 11 minutes ago (CONTRACT: at most 10).
      await standIns.google.mintIdToken({ aud: nativeId, iat: now - 660, exp: now + 3000 }),
      await standIns.google.mintIdToken({ aud: nativeId, iss: "https://accounts.example.com" }),
      "not.a.jwt",
    ];
    for (const token of refused) await expectError(google(token, t.key), "social/InvalidProviderToken");
  });

  it("the wrong kind of token for the provider is 400 validation/Invalid on that field", async () => {
    const c = api().clientSocial.signInWithToken;
    await expectInvalidField(c.mutate({ tenantKey: tenant.key, provider: "google", accessToken: "x" }), "accessToken");
    await expectInvalidField(c.mutate({ tenantKey: tenant.key, provider: "kakao", idToken: "x" }), "idToken");
    await expectInvalidField(c.mutate({ tenantKey: tenant.key, provider: "naver" }), "accessToken");
    await expectInvalidField(c.mutate({ tenantKey: tenant.key, provider: "google", idToken: "x", accessToken: "y" }), "accessToken");
  });

  it("Kakao: a token of the tenant's app (token info app_id) signs in; another app's or an unknown token is 401", async () => {
    const standIns = providers.get();
    const who = {
      id: 8_000_000_000 + Math.floor(Math.random() * 1e6),
      nickname: "Native K",
      email: `${unique("k").toLowerCase()}@kakao.example`,
      isEmailValid: true,
      isEmailVerified: true,
    };
    const kakao = (accessToken: string) =>
      api().clientSocial.signInWithToken.mutate({ tenantKey: tenant.key, provider: "kakao", accessToken });
    const appId = Number(standIns.credentials.kakao.nativeClientIds[0]);
    const session = await kakao(standIns.kakao.issueAccessToken({ appId, person: who, scope: ["profile_nickname", "account_email"] }));
    expect(session).toMatchObject({ isNewUser: true, user: { email: who.email, displayName: "Native K" } });
    expect(session.user.emailVerifiedAt).toEqual(expect.any(String));
    await expectError(kakao(standIns.kakao.issueAccessToken({ appId: appId + 1, person: who })), "social/InvalidProviderToken");
    await expectError(kakao("unknown-token"), "social/InvalidProviderToken");
  });

  it("parallel first sign-ins of one person: one user, one identity (the unique index decides, the others read it)", async () => {
    const standIns = providers.get();
    const who = { id: 9_000_000_000 + Math.floor(Math.random() * 1e6), nickname: "Racer" };
    const appId = Number(standIns.credentials.kakao.nativeClientIds[0]);
    const sessions = await Promise.all(
      Array.from({ length: 6 }, () =>
        api().clientSocial.signInWithToken.mutate({
          tenantKey: tenant.key,
          provider: "kakao",
          accessToken: standIns.kakao.issueAccessToken({ appId, person: who }),
        }),
      ),
    );
    expect(new Set(sessions.map((s) => s.user.id)).size).toBe(1);
    expect(sessions.filter((s) => s.isNewUser)).toHaveLength(1);
    expect(await getPrisma().userIdentity.count({ where: { userId: sessions[0]!.user.id } })).toBe(1);
  });

  it("Naver: its access token signs in; an unknown one is 401", async () => {
    const standIns = providers.get();
    const who = { key: unique("nv"), email: `${unique("nv").toLowerCase()}@naver.example`, name: "Native N" };
    const naver = (accessToken: string) =>
      api().clientSocial.signInWithToken.mutate({ tenantKey: tenant.key, provider: "naver", accessToken });
    const session = await naver(standIns.naver.issueAccessToken({ clientId: standIns.credentials.naver.clientId, person: who }));
    expect(session).toMatchObject({ isNewUser: true, user: { email: who.email, emailVerifiedAt: null } });
    await expectError(naver("unknown-token"), "social/InvalidProviderToken");
  });

  it("404 tenant, 400 provider not configured or disabled, 503 provider down, 403 suspended", async () => {
    const standIns = providers.get();
    const aud = standIns.credentials.google.clientId;
    standIns.google.signInAs(person());
    await expectError(google(await standIns.google.mintIdToken({ aud }), unique("nope")), "tenant/NotFound");
    const t = await socialTenant(standIns, { providers: ["kakao"] });
    await expectError(google(await standIns.google.mintIdToken({ aud }), t.key), "auth/MethodNotEnabled");
    await setProviderEnabled(t, "kakao", false);
    const kakaoToken = standIns.kakao.issueAccessToken({
      appId: Number(standIns.credentials.kakao.nativeClientIds[0]),
      person: { id: 1, nickname: "x" },
    });
    await expectError(
      api().clientSocial.signInWithToken.mutate({ tenantKey: t.key, provider: "kakao", accessToken: kakaoToken }),
      "auth/MethodNotEnabled",
    );

    standIns.kakao.setMode("down");
    try {
      await setProviderEnabled(t, "kakao", true);
      const down = await expectError(
        api().clientSocial.signInWithToken.mutate({ tenantKey: t.key, provider: "kakao", accessToken: kakaoToken }),
        "service/Unavailable",
      );
      expect(down.message).not.toMatch(/kakao|127\.0\.0\.1/i);
    } finally {
      standIns.kakao.setMode("ok");
    }

    const first = await google(await standIns.google.mintIdToken({ aud }));
    await getPrisma().user.update({ where: { id: first.user.id }, data: { suspendedAt: new Date() } });
    await expectError(google(await standIns.google.mintIdToken({ aud })), "auth/AccountSuspended");
  });
});
