import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueManager } from "@gatehouse/api/testing";
import {
  createAccessTokenVerifier,
  GatehouseConfigError,
  gatehouseMiddleware,
  verifyAccessToken,
  withGatehouseAuth,
  type GatehouseMiddlewareOptions,
  type VerifyAccessTokenOptions,
} from "../src/server";
import { createTenant, hasRedis, newClient, signUpWith, startGatehouse, type Gatehouse } from "./support";

/**
 * The server helpers' safe defaults (issue 17): the tenant is an explicit choice, the local
 * gates are the server's (password change, then email, with the same opt-outs), options are
 * checked when the helpers are set up, and `protect` prefixes match whole path segments.
 */

let gatehouse: Gatehouse;
let tenant: { id: string; key: string };
/** Everything but the tenant choice. */
let base: { jwksUrl: string; issuer: string; audience: string };
let options: VerifyAccessTokenOptions;

beforeAll(async () => {
  if (!hasRedis) return;
  gatehouse = await startGatehouse();
  tenant = await createTenant();
  base = { jwksUrl: gatehouse.jwksUrl, issuer: gatehouse.issuer, audience: gatehouse.audience };
  options = { ...base, tenantKey: tenant.key };
});
afterAll(async () => {
  await gatehouse?.close();
});

async function signIn(user: { tenantKey: string; userId: string; password: string }) {
  const client = newClient(gatehouse);
  const res = await client.ClientAuth.signIn({ body: user });
  client.dispose();
  if (res.error) throw res.error;
  return res.data.accessToken;
}

async function verifiedToken(tenantKey: string) {
  const client = newClient(gatehouse);
  const user = await signUpWith(client, tenantKey);
  await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
  const res = await client.ClientEmailVerification.verifyEmail({ body: { code: gatehouse.smtp.latestCode(user.email) } });
  client.dispose();
  if (res.error) throw res.error;
  return res.data.accessToken;
}

async function unverifiedToken(tenantKey: string) {
  const client = newClient(gatehouse);
  const user = await signUpWith(client, tenantKey);
  client.dispose();
  return user.accessToken;
}

/** What a call threw (synchronously or as a rejection), or undefined. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function expectConfigError(run: () => unknown, option: string) {
  const error = await thrown(run);
  expect(error).toBeInstanceOf(GatehouseConfigError);
  expect(error).toBeInstanceOf(TypeError);
  expect(error).toMatchObject({ name: "GatehouseConfigError", option });
  expect((error as Error).message).toContain(option);
}

const handler = () => new Response("ok");
const bearer = (token: string, path = "/api/data") =>
  new Request(`http://app.test${path}`, { headers: { authorization: `Bearer ${token}` } });

describe.skipIf(!hasRedis)("the tenant is an explicit choice", () => {
  it("refuses options without tenantKey or anyTenant, with an unset variable's undefined, or a key of the wrong shape", async () => {
    const unset: Record<string, string | undefined> = {};
    const bad: [unknown, string][] = [
      [base, "tenantKey"],
      [{ ...base, tenantKey: unset.GATEHOUSE_TENANT_KEY }, "tenantKey"],
      [{ ...base, tenantKey: "" }, "tenantKey"],
      [{ ...base, tenantKey: "  " }, "tenantKey"],
      [{ ...base, tenantKey: "not a key!" }, "tenantKey"],
      [{ ...base, anyTenant: false }, "tenantKey"],
      [{ ...base, anyTenant: "yes" }, "anyTenant"],
      [{ ...base, tenantKey: tenant.key, anyTenant: true }, "anyTenant"],
    ];
    const token = await unverifiedToken(tenant.key);
    for (const [opts, option] of bad) {
      const o = opts as VerifyAccessTokenOptions;
      // A configuration error, not a refused token: verifyAccessToken rejects, the others throw when set up.
      await expectConfigError(() => verifyAccessToken(token, o), option);
      await expectConfigError(() => createAccessTokenVerifier(o), option);
      await expectConfigError(() => withGatehouseAuth(handler, o), option);
      await expectConfigError(() => gatehouseMiddleware(o), option);
    }
  });

  it("accepts any tenant's users with anyTenant: true, and only the named tenant's with tenantKey", async () => {
    const other = await createTenant();
    const token = await verifiedToken(other.key);
    expect((await verifyAccessToken(token, { ...base, anyTenant: true })).ok).toBe(true);
    expect(await verifyAccessToken(token, options)).toMatchObject({ ok: false, error: { code: "token/WrongTenant", status: 401 } });
    // The key is compared as the contract reads keys: trimmed and lower-cased.
    expect((await verifyAccessToken(token, { ...base, tenantKey: ` ${other.key.toUpperCase()} ` })).ok).toBe(true);
  });
});

describe.skipIf(!hasRedis)("the local gates are the server's", () => {
  it("refuses a token with a password change required (403), unless allowPasswordChangeRequired", async () => {
    const token = await signIn(await issueManager(tenant, { mustChangePassword: true }));
    expect(await verifyAccessToken(token, options)).toMatchObject({
      ok: false,
      error: { code: "token/PasswordChangeRequired", status: 403 },
    });
    const allowed = await verifyAccessToken(token, { ...options, allowPasswordChangeRequired: true });
    expect(allowed.ok && allowed.claims).toMatchObject({ role: "manager", src: "admin_issued", pcr: true, ev: false });

    const answer = await withGatehouseAuth(handler, options)(bearer(token));
    expect(answer.status).toBe(403);
    expect(answer.headers.get("www-authenticate")).toBeNull();
    expect(await answer.json()).toMatchObject({
      error: { data: { appCode: "auth/PasswordChangeRequired", httpStatus: 403, reason: "token/PasswordChangeRequired" } },
    });
    expect((await withGatehouseAuth(handler, { ...options, allowPasswordChangeRequired: true })(bearer(token))).status).toBe(200);
  });

  it("refuses an unverified self-signed-up user (403) unless allowUnverifiedEmail, and never gates admin-issued users by email", async () => {
    const unverified = await unverifiedToken(tenant.key);
    expect(await verifyAccessToken(unverified, options)).toMatchObject({
      ok: false,
      error: { code: "token/EmailNotVerified", status: 403 },
    });
    expect((await verifyAccessToken(unverified, { ...options, allowUnverifiedEmail: true })).ok).toBe(true);
    const middlewareAnswer = await gatehouseMiddleware(options)(bearer(unverified));
    expect(middlewareAnswer?.status).toBe(403);
    expect(await middlewareAnswer?.json()).toMatchObject({
      error: { data: { appCode: "auth/EmailNotVerified", reason: "token/EmailNotVerified" } },
    });

    expect((await verifyAccessToken(await verifiedToken(tenant.key), options)).ok).toBe(true);

    // A manager who has replaced the temporary password: no email, never verified, and in.
    const manager = await signIn(await issueManager(tenant, { mustChangePassword: false }));
    const result = await verifyAccessToken(manager, options);
    expect(result.ok && result.claims).toMatchObject({ src: "admin_issued", ev: false, pcr: false });
  });

  it("keeps requireVerifiedEmail as a deprecated alias: true is the default rule (admin-issued users pass), false allows unverified emails", async () => {
    const manager = await signIn(await issueManager(tenant, { mustChangePassword: false }));
    expect((await verifyAccessToken(manager, { ...options, requireVerifiedEmail: true })).ok).toBe(true);
    const unverified = await unverifiedToken(tenant.key);
    expect((await verifyAccessToken(unverified, { ...options, requireVerifiedEmail: true })).error?.code).toBe("token/EmailNotVerified");
    expect((await verifyAccessToken(unverified, { ...options, requireVerifiedEmail: false })).ok).toBe(true);
    // Saying both ways at once is a configuration error.
    await expectConfigError(
      () => verifyAccessToken(unverified, { ...options, requireVerifiedEmail: true, allowUnverifiedEmail: true }),
      "requireVerifiedEmail",
    );
    await expectConfigError(
      () => createAccessTokenVerifier({ ...options, allowUnverifiedEmail: "yes" as unknown as boolean }),
      "allowUnverifiedEmail",
    );
  });
});

describe.skipIf(!hasRedis)("options are checked when the helpers are set up", () => {
  const badUrls: [string, unknown][] = [
    ["not a URL", "jwks.json"],
    ["not http(s)", "ftp://auth.example.com/.well-known/jwks.json"],
    ["javascript:", "javascript:alert(1)"],
    ["with credentials", "https://user:secret@auth.example.com/.well-known/jwks.json"],
    ["empty", ""],
    ["not a string", 42],
  ];
  it.each(badUrls)("a jwksUrl %s is a configuration error naming jwksUrl", async (_what, jwksUrl) => {
    const o = { ...options, jwksUrl } as VerifyAccessTokenOptions;
    await expectConfigError(() => withGatehouseAuth(handler, o), "jwksUrl");
    await expectConfigError(() => gatehouseMiddleware(o), "jwksUrl");
    await expectConfigError(() => createAccessTokenVerifier(o), "jwksUrl");
    await expectConfigError(() => verifyAccessToken("a.b.c", o), "jwksUrl");
  });

  it("names the other bad options too", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ issuer: "" }, "issuer"],
      [{ audience: undefined }, "audience"],
      [{ clockToleranceSeconds: -1 }, "clockToleranceSeconds"],
      [{ jwks: { timeoutMs: "5s" } }, "jwks.timeoutMs"],
      [{ cookieName: "" }, "cookieName"],
      [{ onError: "401" }, "onError"],
    ];
    for (const [change, option] of bad) {
      await expectConfigError(() => withGatehouseAuth(handler, { ...options, ...change } as VerifyAccessTokenOptions), option);
    }
    await expectConfigError(() => gatehouseMiddleware({ ...options, protect: ["account"] }), "protect");
    await expectConfigError(
      () => gatehouseMiddleware({ ...options, protect: "/account" } as unknown as GatehouseMiddlewareOptions),
      "protect",
    );
  });

  it("createAccessTokenVerifier validates once and verifies; a bad token is still an answer, never a throw", async () => {
    const { verify } = createAccessTokenVerifier({ ...options, allowUnverifiedEmail: true });
    const token = await unverifiedToken(tenant.key);
    const result = await verify(token);
    expect(result.ok && result.claims.tkey).toBe(tenant.key);
    for (const junk of ["", "x", "a.b.c", 42, null, "e".repeat(10_000)]) {
      expect((await verify(junk as string)).ok).toBe(false);
      expect((await verifyAccessToken(junk as string, options)).ok).toBe(false);
    }
  });
});

describe.skipIf(!hasRedis)("gatehouseMiddleware's protect", () => {
  const nextRequest = (pathname: string) => ({ headers: new Headers(), nextUrl: { pathname } });
  it("matches path prefixes at segment boundaries: /account and /account/… only", async () => {
    const middleware = gatehouseMiddleware({ ...options, protect: ["/account", "/api/private/"] });
    for (const path of ["/account", "/account/", "/account/settings", "/api/private", "/api/private/x"]) {
      expect((await middleware(nextRequest(path)))?.status, path).toBe(401);
    }
    for (const path of ["/", "/accountant-tools", "/accounts", "/public/account", "/api/privateer", "/api"]) {
      expect(await middleware(nextRequest(path)), path).toBeUndefined();
    }
  });

  it("is not fooled by spellings that reach the same route: escapes, doubled slashes, case", async () => {
    const middleware = gatehouseMiddleware({ ...options, protect: ["/account"] });
    for (const path of ["/%61ccount", "/account%2Fsettings", "//account", "/Account/x", "/%ZZ/x"]) {
      expect((await middleware(nextRequest(path)))?.status, path).toBe(401);
    }
    const fromUrl = await middleware({ headers: new Headers(), url: "http://app.test/x/../account/me" });
    expect(fromUrl?.status).toBe(401);
  });

  it("lets a valid token through a protected path and keeps accepting a function", async () => {
    const token = await verifiedToken(tenant.key);
    const withToken = { headers: new Headers({ authorization: `Bearer ${token}` }), nextUrl: { pathname: "/account/me" } };
    expect(await gatehouseMiddleware({ ...options, protect: ["/account"] })(withToken)).toBeUndefined();
    const byFunction = gatehouseMiddleware({ ...options, protect: (path) => path === "/only" });
    expect((await byFunction(nextRequest("/only")))?.status).toBe(401);
    expect(await byFunction(nextRequest("/account"))).toBeUndefined();
  });
});

describe.skipIf(!hasRedis)("the jti claim", () => {
  it("is on every token Gatehouse issues, so two tokens of one session minted in the same second differ", async () => {
    const client = newClient(gatehouse);
    await signUpWith(client, tenant.key);
    // Refresh until two tokens of the session share their second (almost always the first pair).
    let pair: [string, string] | undefined;
    for (let attempt = 0; attempt < 5 && !pair; attempt++) {
      const a = (await client.hooks.refresh())?.accessToken;
      const b = (await client.hooks.refresh())?.accessToken;
      if (!a || !b) throw new Error("refresh failed");
      if (decodeJwt(a).iat === decodeJwt(b).iat) pair = [a, b];
    }
    client.dispose();
    if (!pair) throw new Error("no two tokens in the same second");
    const [first, second] = await Promise.all(pair.map((token) => verifyAccessToken(token, { ...options, allowUnverifiedEmail: true })));
    if (!first?.ok || !second?.ok) throw new Error("a fresh token was refused");
    expect(first.claims.sid).toBe(second.claims.sid);
    expect(first.claims.jti).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(second.claims.jti).not.toBe(first.claims.jti);
    expect(pair[1]).not.toBe(pair[0]);
  });

  it("is optional for the SDK: a token without one (issued before it existed) still verifies, a malformed one does not", async () => {
    // A stand-in issuer with its own key and JWKS: Gatehouse itself no longer mints jti-less tokens.
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const jwk = { ...(await exportJWK(publicKey)), kid: "old", alg: "EdDSA", use: "sig" };
    const jwksServer = createServer((_req, res) => res.setHeader("content-type", "application/json").end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    try {
      const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
      const mint = (extra: Record<string, unknown>) =>
        new SignJWT({ tid: tenant.id, tkey: tenant.key, sid: "s1", role: "member", src: "self_signup", ev: true, pcr: false, ...extra })
          .setProtectedHeader({ alg: "EdDSA", kid: "old", typ: "JWT" })
          .setIssuer(base.issuer)
          .setAudience(base.audience)
          .setSubject("00000000-0000-4000-8000-000000000000")
          .setIssuedAt()
          .setExpirationTime("1h")
          .sign(privateKey);
      const verifier = createAccessTokenVerifier({ ...options, jwksUrl });
      const old = await verifier.verify(await mint({}));
      expect(old.ok).toBe(true);
      expect(old.ok && "jti" in old.claims).toBe(false);
      const withJti = await verifier.verify(await mint({ jti: "abc" }));
      expect(withJti.ok && withJti.claims.jti).toBe("abc");
      expect((await verifier.verify(await mint({ jti: 42 }))).error?.code).toBe("token/InvalidClaims");
    } finally {
      jwksServer.close();
    }
  });
});
