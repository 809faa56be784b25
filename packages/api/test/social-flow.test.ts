import { beforeAll, describe, expect, it } from "vitest";
import { getPrisma, type Tenant } from "@gatehouse/db";
import { auditEvents, clientAt, expectError, expectInvalidField, hasRedis, suiteEnv, unique, useServer, verifiedUser } from "./kit";
import { APP_REDIRECT, browserAt, pkce, setProviderEnabled, socialTenant, startInstanceProcess, useStandIns } from "./social-support";

/**
 * clientSocial's browser flow (CONTRACT v2 "clientSocial"): start → the provider (a stand-in
 * speaking its real protocol) → Gatehouse's callback → the app's redirect URI with a one-time
 * code → exchange. The browser is fetch with `redirect: "manual"`, following each 302 itself.
 */

const gmailPerson = (name = "Ada Lovelace") => {
  const local = unique("g").toLowerCase();
  return { sub: `1${Date.now()}${Math.floor(Math.random() * 1e6)}`, email: `${local}@gmail.com`, email_verified: true, name };
};

describe.skipIf(!hasRedis)("clientSocial: the browser flow", () => {
  const providers = useStandIns();
  const suite = useServer({ mail: true, env: providers.env });
  const server = () => suite.server.url;
  const browser = browserAt(suite.ip);
  let tenant: Tenant;
  beforeAll(async () => {
    tenant = await socialTenant(providers.get());
  });

  const exchange = (code: string, codeVerifier?: string, tenantKey?: string) =>
    clientAt(server).api.clientSocial.exchange.mutate({
      code,
      ...(codeVerifier ? { codeVerifier } : {}),
      ...(tenantKey ? { tenantKey } : {}),
    });

  it("a new Google user: code and state back to the redirect URI, a session at exchange, audited, listed", async () => {
    const person = gmailPerson();
    providers.get().google.signInAs(person);
    const { verifier, challenge } = pkce();
    const back = await browser.signIn(server(), "google", { tenantKey: tenant.key, state: "app-state 1", codeChallenge: challenge });
    expect(`${back.origin}${back.pathname}`).toBe(APP_REDIRECT);
    expect([...back.searchParams.keys()]).toEqual(["code", "state"]);
    expect(back.searchParams.get("state")).toBe("app-state 1");
    const code = back.searchParams.get("code")!;
    // Nothing signed in yet: the session is made at exchange.
    const userRow = await getPrisma().user.findFirstOrThrow({ where: { tenantId: tenant.id, email: person.email } });
    expect(await getPrisma().session.count({ where: { userId: userRow.id } })).toBe(0);

    const session = await exchange(code, verifier);
    expect(session.isNewUser).toBe(true);
    expect(session.user).toMatchObject({
      tenantKey: tenant.key,
      email: person.email,
      displayName: "Ada Lovelace",
      role: "member",
      source: "self_signup",
      hasPassword: false,
      mustChangePassword: false,
    });
    expect(session.user.userId).toMatch(/^google-[a-z0-9]{12}$/);
    expect(session.user.emailVerifiedAt).toEqual(expect.any(String));
    const me = clientAt(server).as(session.accessToken);
    expect((await me.clientAuth.me.query()).user.id).toBe(session.user.id);
    const identities = await me.clientSocial.listIdentities.query();
    expect(identities.items).toEqual([{ provider: "google", email: person.email, linkedAt: expect.any(String) }]);
    const target = `user:${session.user.userId}`;
    const actions = (await getPrisma().auditEvent.findMany({ where: { target }, orderBy: { id: "asc" } })).map((e) => [
      e.action,
      e.details,
    ]);
    expect(actions).toEqual([
      ["user.signedUp", { method: "google" }],
      ["user.identityLinked", { provider: "google", newUser: true }],
      ["user.signedIn", { method: "google" }],
    ]);
  });

  it("a returning user: the same account, isNewUser false; no state in the redirect when start had none", async () => {
    const person = gmailPerson();
    providers.get().google.signInAs(person);
    const first = await exchange((await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!);
    const back = await browser.signIn(server(), "google", { tenantKey: tenant.key });
    expect([...back.searchParams.keys()]).toEqual(["code"]);
    const again = await exchange(back.searchParams.get("code")!);
    expect(again.isNewUser).toBe(false);
    expect(again.user.id).toBe(first.user.id);
    expect(await getPrisma().userIdentity.count({ where: { userId: first.user.id } })).toBe(1);
  });

  it("links Google to the account that verified the same gmail address, and mails the owner a notice", async () => {
    const owner = await verifiedUser(suite.client, tenant.key, suite.smtp, { email: `${unique("own").toLowerCase()}@gmail.com` });
    const mailsBefore = suite.smtp.mailsTo(owner.email).length;
    providers.get().google.signInAs({ ...gmailPerson("Owner"), email: owner.email });
    const session = await exchange((await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!);
    expect(session.isNewUser).toBe(false);
    expect(session.user.id).toBe(owner.session.user.id);
    const linked = await auditEvents(tenant.key, "user.identityLinked");
    expect(linked.filter((e) => e.target === `user:${owner.userId}`).map((e) => e.details)).toEqual([
      { provider: "google", newUser: false },
    ]);
    const notices = suite.smtp.mailsTo(owner.email).slice(mailsBefore);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe(`Your ${tenant.name} account is now linked to Google`);
  });

  it("does not link on an address the provider does not vouch for: Google outside gmail without hd, Kakao unverified, Naver ever", async () => {
    const owner = await verifiedUser(suite.client, tenant.key, suite.smtp, { email: `${unique("corp").toLowerCase()}@corp.example` });
    const standIns = providers.get();
    // Google says email_verified, but is not authoritative for corp.example (no hd).
    standIns.google.signInAs({ ...gmailPerson(), email: owner.email });
    const google = await exchange((await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!);
    // Kakao with the address valid but not verified.
    standIns.kakao.signInAs({ id: Date.now(), nickname: "K", email: owner.email, isEmailValid: true, isEmailVerified: false });
    const kakao = await exchange((await browser.signIn(server(), "kakao", { tenantKey: tenant.key })).searchParams.get("code")!);
    // Naver: its address is a contact address, never linked on.
    standIns.naver.signInAs({ key: unique("nv"), email: owner.email, name: "N" });
    const naver = await exchange((await browser.signIn(server(), "naver", { tenantKey: tenant.key })).searchParams.get("code")!);
    for (const session of [google, kakao, naver]) {
      expect(session.isNewUser).toBe(true);
      expect(session.user.id).not.toBe(owner.session.user.id);
      expect(session.user.email).toBe(owner.email);
      expect(session.user.emailVerifiedAt).toBeNull();
    }
    expect(naver.user.userId).toMatch(/^naver-/);
    expect(kakao.user.userId).toMatch(/^kakao-/);
    // Unverified: the v1 gate applies (listIdentities is U).
    const api = clientAt(server).as(kakao.accessToken);
    await expectError(api.clientAuth.updateMe.mutate({ displayName: "x" }), "auth/EmailNotVerified");
    expect((await api.clientSocial.listIdentities.query()).items.map((i) => i.provider)).toEqual(["kakao"]);
  });

  it("Kakao without an email: a keyed @social.local placeholder, unverified, never mailed", async () => {
    const id = 7_000_000_000 + Math.floor(Math.random() * 1e6);
    providers.get().kakao.signInAs({ id, nickname: "김카카오" });
    const session = await exchange((await browser.signIn(server(), "kakao", { tenantKey: tenant.key })).searchParams.get("code")!);
    expect(session.user.email).toMatch(/^kakao_[0-9a-f]{32}@social\.local$/);
    expect(session.user.email).not.toContain(String(id));
    expect(session.user.emailVerifiedAt).toBeNull();
    expect(session.user.displayName).toBe("김카카오");
    expect(suite.smtp.mailsTo(session.user.email!)).toHaveLength(0);
    const identities = await clientAt(server).as(session.accessToken).clientSocial.listIdentities.query();
    expect(identities.items).toEqual([{ provider: "kakao", email: null, linkedAt: expect.any(String) }]);
  });

  it("cancel at the provider: error=social/AccessDenied with the app's state, nothing created", async () => {
    providers.get().google.deny();
    const back = await browser.signIn(server(), "google", { tenantKey: tenant.key, state: "s-deny" });
    expect(`${back.origin}${back.pathname}`).toBe(APP_REDIRECT);
    expect(Object.fromEntries(back.searchParams)).toEqual({ error: "social/AccessDenied", state: "s-deny" });
  });

  it("the domain policy applies to a new user's provider address, not to a sign-in of an existing one", async () => {
    const limited = await socialTenant(providers.get(), { allowedEmailDomains: ["corp.example"] });
    const person = gmailPerson();
    providers.get().google.signInAs(person);
    const back = await browser.signIn(server(), "google", { tenantKey: limited.key, state: "s" });
    expect(Object.fromEntries(back.searchParams)).toEqual({ error: "signUp/EmailDomainNotAllowed", state: "s" });
    expect(await getPrisma().user.count({ where: { tenantId: limited.id } })).toBe(0);
    // Allowed now, then the list changes: the existing user still signs in.
    await getPrisma().tenant.update({ where: { id: limited.id }, data: { allowedEmailDomains: [] } });
    await exchange((await browser.signIn(server(), "google", { tenantKey: limited.key })).searchParams.get("code")!);
    await getPrisma().tenant.update({ where: { id: limited.id }, data: { allowedEmailDomains: ["corp.example"] } });
    const again = await exchange((await browser.signIn(server(), "google", { tenantKey: limited.key })).searchParams.get("code")!);
    expect(again.isNewUser).toBe(false);
  });

  it("a state is single use: the replayed callback is 400 social/InvalidState as problem details, as is an unknown one", async () => {
    providers.get().google.signInAs(gmailPerson());
    const callbackUrl = await browser.toCallback(await browser.start(server(), "google", { tenantKey: tenant.key }));
    browser.locationOf(await browser.callback(callbackUrl, server()));
    for (const url of [
      callbackUrl,
      new URL(`${callbackUrl.origin}${callbackUrl.pathname}?state=nope&code=x`),
      new URL(`${callbackUrl.origin}${callbackUrl.pathname}`),
    ]) {
      const replay = await browser.callback(url, server());
      expect(replay.status).toBe(400);
      expect(replay.headers.get("content-type")).toBe("application/problem+json");
      expect(replay.headers.get("cache-control")).toBe("no-store");
      expect(await replay.json()).toMatchObject({
        type: "urn:gatehouse:error:social/InvalidState",
        status: 400,
        appCode: "social/InvalidState",
      });
    }
  });

  it("a code is single use and lives only in the redirect; the plain routes send no-store and no-referrer", async () => {
    providers.get().google.signInAs(gmailPerson());
    const callbackUrl = await browser.toCallback(await browser.start(server(), "google", { tenantKey: tenant.key }));
    const answer = await browser.callback(callbackUrl, server());
    expect(answer.headers.get("cache-control")).toBe("no-store");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    const code = browser.locationOf(answer).searchParams.get("code")!;
    await exchange(code);
    await expectError(exchange(code), "social/InvalidCode");
    await expectError(exchange("never-issued"), "social/InvalidCode");
  });

  it("PKCE: right verifier works; wrong, missing or unexpected ones are 401 and burn the code; a malformed one is 400 and keeps it", async () => {
    const { verifier, challenge } = pkce();
    const codeFor = async (codeChallenge?: string) => {
      providers.get().google.signInAs(gmailPerson());
      const back = await browser.signIn(server(), "google", { tenantKey: tenant.key, ...(codeChallenge ? { codeChallenge } : {}) });
      return back.searchParams.get("code")!;
    };
    // Wrong verifier: refused, and the right one no longer helps.
    let code = await codeFor(challenge);
    await expectError(exchange(code, pkce().verifier), "social/InvalidCode");
    await expectError(exchange(code, verifier), "social/InvalidCode");
    // Missing verifier for a code issued with a challenge.
    code = await codeFor(challenge);
    await expectError(exchange(code), "social/InvalidCode");
    await expectError(exchange(code, verifier), "social/InvalidCode");
    // A verifier for a code issued without a challenge.
    code = await codeFor();
    await expectError(exchange(code, verifier), "social/InvalidCode");
    await expectError(exchange(code), "social/InvalidCode");
    // Malformed (not 43-128 base64url): 400 on codeVerifier, and the code still works.
    code = await codeFor(challenge);
    await expectInvalidField(exchange(code, "short"), "codeVerifier");
    await expectInvalidField(exchange(code, `${"a".repeat(42)}=`), "codeVerifier");
    expect((await exchange(code, verifier)).isNewUser).toBe(true);
  });

  it("exchange is bound to the code's tenant: another tenantKey is 401 and burns it", async () => {
    const other = await socialTenant(providers.get());
    providers.get().google.signInAs(gmailPerson());
    let code = (await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!;
    await expectError(exchange(code, undefined, other.key), "social/InvalidCode");
    await expectError(exchange(code, undefined, tenant.key), "social/InvalidCode");
    code = (await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!;
    expect((await exchange(code, undefined, tenant.key)).user.tenantKey).toBe(tenant.key);
  });

  it("redirect URIs: exact match only, loopback ports ignored, the URI's own query kept, app schemes too", async () => {
    const uris = ["https://app.example.com/cb?from=gh&x=1", "http://127.0.0.1/native", "com.example.app:/oauth"];
    const t = await socialTenant(providers.get(), { redirectUris: uris });
    const c = clientAt(server);
    const start = (redirectUri: string) => c.api.clientSocial.start.mutate({ tenantKey: t.key, provider: "google", redirectUri });
    for (const refused of [
      "https://app.example.com/cb",
      "https://app.example.com/cb?from=gh&x=1&y=2",
      "https://app.example.com/cb/?from=gh&x=1",
      "http://127.0.0.1/native/x",
      "http://localhost:5000/native",
      "com.example.app:/oauth2",
    ]) {
      await expectError(start(refused), "social/RedirectUriNotAllowed");
    }
    const started = await start("http://127.0.0.1:53123/native");
    expect(new URL(started.authorizationUrl).origin).toBe(providers.get().google.url);
    expect(Date.parse(started.expiresAt) - Date.now()).toBeGreaterThan(590_000);

    providers.get().google.signInAs(gmailPerson());
    const withQuery = await browser.signIn(server(), "google", { tenantKey: t.key, redirectUri: uris[0]!, state: "st" });
    expect([...withQuery.searchParams.keys()]).toEqual(["from", "x", "code", "state"]);
    expect(withQuery.searchParams.get("from")).toBe("gh");
    const loopback = await browser.signIn(server(), "google", { tenantKey: t.key, redirectUri: "http://127.0.0.1:40999/native" });
    expect(`${loopback.origin}${loopback.pathname}`).toBe("http://127.0.0.1:40999/native");
    const app = await browser.signIn(server(), "google", { tenantKey: t.key, redirectUri: "com.example.app:/oauth" });
    expect(app.protocol).toBe("com.example.app:");
    expect(app.searchParams.get("code")).toEqual(expect.any(String));
  });

  it("start: 404 tenant, 400 provider not configured or disabled, problem details on the plain route, 404 unknown provider", async () => {
    const c = clientAt(server);
    const only = await socialTenant(providers.get(), { providers: ["google"], disabled: ["google"] });
    const start = (tenantKey: string, provider: "google" | "kakao") =>
      c.api.clientSocial.start.mutate({ tenantKey, provider, redirectUri: APP_REDIRECT });
    await expectError(start(unique("nope"), "google"), "tenant/NotFound");
    await expectError(start(only.key, "google"), "auth/MethodNotEnabled");
    await expectError(start(only.key, "kakao"), "auth/MethodNotEnabled");
    const plain = await browser.start(server(), "google", { tenantKey: only.key });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ appCode: "auth/MethodNotEnabled", status: 400 });
    const unknown = await browser.get(`${server()}/api/social/github/start?tenantKey=${tenant.key}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ appCode: "request/NotFound" });
    const invalid = await browser.get(`${server()}/api/social/google/start?tenantKey=${tenant.key}&redirectUri=nope`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ appCode: "validation/Invalid", issues: [{ path: ["redirectUri"] }] });
  });

  it("provider switched off meanwhile → error=auth/MethodNotEnabled; provider down → error=service/Unavailable; garbage → social/ProviderError", async () => {
    const t = await socialTenant(providers.get());
    const standIns = providers.get();
    standIns.google.signInAs(gmailPerson());
    let callbackUrl = await browser.toCallback(await browser.start(server(), "google", { tenantKey: t.key, state: "a" }));
    await setProviderEnabled(t, "google", false);
    expect(Object.fromEntries(browser.locationOf(await browser.callback(callbackUrl, server())).searchParams)).toEqual({
      error: "auth/MethodNotEnabled",
      state: "a",
    });
    await setProviderEnabled(t, "google", true);
    for (const [mode, error] of [
      ["down", "service/Unavailable"],
      ["garbage", "social/ProviderError"],
    ] as const) {
      callbackUrl = await browser.toCallback(await browser.start(server(), "google", { tenantKey: t.key, state: "b" }));
      standIns.google.setMode(mode);
      try {
        const back = browser.locationOf(await browser.callback(callbackUrl, server()));
        expect(Object.fromEntries(back.searchParams)).toEqual({ error, state: "b" });
      } finally {
        standIns.google.setMode("ok");
      }
    }
    // Kakao's token endpoint down as well.
    standIns.kakao.signInAs({ id: Date.now(), nickname: "K" });
    callbackUrl = await browser.toCallback(await browser.start(server(), "kakao", { tenantKey: t.key }));
    standIns.kakao.setMode("down");
    try {
      expect(browser.locationOf(await browser.callback(callbackUrl, server())).searchParams.get("error")).toBe("service/Unavailable");
    } finally {
      standIns.kakao.setMode("ok");
    }
  });

  it("a suspended user: the callback redirects with error=auth/AccountSuspended; exchange of a code issued before is 403", async () => {
    const person = gmailPerson();
    providers.get().google.signInAs(person);
    const first = await exchange((await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!);
    const pending = (await browser.signIn(server(), "google", { tenantKey: tenant.key })).searchParams.get("code")!;
    await getPrisma().user.update({ where: { id: first.user.id }, data: { suspendedAt: new Date() } });
    await expectError(exchange(pending), "auth/AccountSuspended");
    const back = await browser.signIn(server(), "google", { tenantKey: tenant.key, state: "z" });
    expect(Object.fromEntries(back.searchParams)).toEqual({ error: "auth/AccountSuspended", state: "z" });
  });
});

describe.skipIf(!hasRedis)("clientSocial: two instances sharing Redis", () => {
  const providers = useStandIns();
  const suite = useServer({ env: providers.env });

  it("start on one server, callback and exchange on another (its own process: only Redis and PostgreSQL are shared)", async () => {
    const other = await startInstanceProcess({ ...suiteEnv, ...providers.env });
    try {
      const tenant = await socialTenant(providers.get());
      providers.get().google.signInAs(gmailPerson());
      const { verifier, challenge } = pkce();
      const browser = browserAt(suite.ip);
      const back = await browser.signIn(suite.server.url, "google", { tenantKey: tenant.key, codeChallenge: challenge }, other.url);
      const session = await clientAt(other.url).api.clientSocial.exchange.mutate({
        code: back.searchParams.get("code")!,
        codeVerifier: verifier,
      });
      expect(session.isNewUser).toBe(true);
      // And the other way round.
      const back2 = await browser.signIn(other.url, "google", { tenantKey: tenant.key }, suite.server.url);
      const again = await clientAt(suite.server.url).api.clientSocial.exchange.mutate({ code: back2.searchParams.get("code")! });
      expect(again.user.id).toBe(session.user.id);
    } finally {
      await other.stop();
    }
  });
});
