import { decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rotateSigningKey } from "@gatehouse/api";
import { gatehouseMiddleware, verifyAccessToken, withGatehouseAuth, type VerifyAccessTokenOptions } from "../src/server";
import { createTenant, hasRedis, newClient, PASSWORD, signUpWith, startGatehouse, type Gatehouse } from "./support";

let gatehouse: Gatehouse;
let tenantKey: string;
/** This tenant's users, unverified emails allowed (the gates have their own tests in verify-safe-defaults). */
let options: VerifyAccessTokenOptions & { tenantKey: string };
/** Everything but the tenant choice. */
let base: { jwksUrl: string; issuer: string; audience: string };

beforeAll(async () => {
  if (!hasRedis) return;
  // A rotated-in key signs at once here (the contract's 300 s delay would make the test wait).
  gatehouse = await startGatehouse({ SIGNING_KEY_ACTIVATION_DELAY_SECONDS: "0" });
  tenantKey = (await createTenant()).key;
  base = { jwksUrl: gatehouse.jwksUrl, issuer: gatehouse.issuer, audience: gatehouse.audience };
  options = { ...base, tenantKey, allowUnverifiedEmail: true };
});
afterAll(async () => {
  await gatehouse?.close();
});

async function verifiedUser() {
  const client = newClient(gatehouse);
  const user = await signUpWith(client, tenantKey);
  await client.ClientEmailVerification.sendVerification({ body: { email: user.email } });
  const res = await client.ClientEmailVerification.verifyEmail({ body: { code: gatehouse.smtp.latestCode(user.email) } });
  if (res.error) throw res.error;
  client.dispose();
  return { ...user, verifiedToken: res.data.accessToken };
}

/** The same token with one payload claim changed and the original signature kept. */
function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const decoded = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...decoded, ...claims })).toString("base64url"), signature].join(".");
}

describe.skipIf(!hasRedis)("verifyAccessToken", () => {
  it("accepts a fresh token and returns its typed claims", async () => {
    const user = await signUpWith(newClient(gatehouse), tenantKey);
    const result = await verifyAccessToken(user.accessToken, options);
    expect(result.error).toBeUndefined();
    expect(result.claims).toMatchObject({
      iss: gatehouse.issuer,
      aud: gatehouse.audience,
      sub: user.user.id,
      tkey: tenantKey,
      role: "member",
      src: "self_signup",
      ev: false,
      pcr: false,
    });
    expect(result.ok && result.claims.exp - result.claims.iat).toBe(3600);
  });

  it("rejects a tampered token", async () => {
    const user = await signUpWith(newClient(gatehouse), tenantKey);
    const forged = await verifyAccessToken(tamper(user.accessToken, { role: "manager" }), options);
    expect(forged).toMatchObject({ ok: false, error: { code: "token/InvalidSignature", status: 401 } });
    const cut = await verifyAccessToken(user.accessToken.slice(0, -4), options);
    expect(cut.ok).toBe(false);
    expect((await verifyAccessToken("not.a-token", options)).error?.code).toBe("token/Malformed");
  });

  it("rejects a token of another tenant than tenantKey, and accepts it with anyTenant", async () => {
    const other = await createTenant();
    const user = await signUpWith(newClient(gatehouse), other.key);
    expect((await verifyAccessToken(user.accessToken, { ...base, anyTenant: true, allowUnverifiedEmail: true })).ok).toBe(true);
    const result = await verifyAccessToken(user.accessToken, options);
    expect(result).toMatchObject({ ok: false, error: { code: "token/WrongTenant", status: 401 } });
    expect((await verifyAccessToken(user.accessToken, { ...options, tenantKey: other.key.toUpperCase() })).ok).toBe(true);
  });

  it("rejects an unverified user's token by default, and accepts the token verifyEmail returns", async () => {
    const user = await verifiedUser();
    const strict = { ...base, tenantKey };
    const before = await verifyAccessToken(user.accessToken, strict);
    expect(before).toMatchObject({ ok: false, error: { code: "token/EmailNotVerified", status: 403 } });
    const after = await verifyAccessToken(user.verifiedToken, strict);
    expect(after.ok && after.claims.ev).toBe(true);
  });

  it("rejects wrong issuer and audience", async () => {
    const user = await signUpWith(newClient(gatehouse), tenantKey);
    expect((await verifyAccessToken(user.accessToken, { ...options, issuer: "https://elsewhere.example" })).error?.code).toBe(
      "token/InvalidClaims",
    );
    expect((await verifyAccessToken(user.accessToken, { ...options, audience: "another-app" })).error?.code).toBe("token/InvalidClaims");
  });

  it("picks up a rotated key: an unknown kid makes it fetch the JWKS again", async () => {
    const fetches: string[] = [];
    const jwks = new URL(gatehouse.jwksUrl);
    jwks.searchParams.set("probe", "rotation"); // its own cache entry
    const counting = { ...options, jwksUrl: jwks, jwks: { cooldownMs: 500 } };
    const originalFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes("jwks.json")) fetches.push(String(input));
      return originalFetch(input, init);
    };
    try {
      const before = await signUpWith(newClient(gatehouse), tenantKey);
      expect((await verifyAccessToken(before.accessToken, counting)).ok).toBe(true);
      expect((await verifyAccessToken(before.accessToken, counting)).ok).toBe(true);
      expect(fetches).toHaveLength(1); // cached

      const { kid } = await rotateSigningKey();
      const client = newClient(gatehouse);
      const signedIn = await client.ClientAuth.signIn({ body: { tenantKey, userId: before.userId, password: PASSWORD } });
      if (signedIn.error) throw signedIn.error;
      expect(decodeProtectedHeader(signedIn.data.accessToken).kid).toBe(kid);

      await new Promise((resolve) => setTimeout(resolve, 600)); // past the refetch cooldown
      const rotated = await verifyAccessToken(signedIn.data.accessToken, counting);
      expect(rotated.error).toBeUndefined();
      expect(fetches).toHaveLength(2);
      // The retired key stays published until its tokens expire: the old token still passes.
      expect((await verifyAccessToken(before.accessToken, counting)).ok).toBe(true);
    } finally {
      globalThis.fetch = originalFetch;
    }
  });

  it("answers jwks/Unavailable when the keys cannot be fetched", async () => {
    const user = await signUpWith(newClient(gatehouse), tenantKey);
    const result = await verifyAccessToken(user.accessToken, { ...options, jwksUrl: "http://127.0.0.1:9/.well-known/jwks.json" });
    expect(result).toMatchObject({ ok: false, error: { code: "jwks/Unavailable", status: 503 } });
  });
});

describe.skipIf(!hasRedis)("withGatehouseAuth and gatehouseMiddleware", () => {
  // Its own JWKS cache: the rotation above made the shared one's keys stale on purpose.
  const middlewareOptions = () => ({ ...options, jwksUrl: `${gatehouse.jwksUrl}?probe=middleware` });
  it("runs the handler with the claims for a valid bearer token, and answers 401 otherwise", async () => {
    const user = await signUpWith(newClient(gatehouse), tenantKey);
    const handler = withGatehouseAuth((_req: Request, { claims }) => Response.json({ sub: claims.sub }), middlewareOptions());
    const ok = await handler(new Request("http://app.test/api/data", { headers: { authorization: `Bearer ${user.accessToken}` } }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: user.user.id });

    const missing = await handler(new Request("http://app.test/api/data"));
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ error: { data: { appCode: "auth/Unauthenticated", reason: "token/Missing" } } });

    const forged = await handler(
      new Request("http://app.test/api/data", { headers: { authorization: `Bearer ${tamper(user.accessToken, { tkey: "x" })}` } }),
    );
    expect(forged.status).toBe(401);
  });

  it("guards only the protected paths of a Next.js-style request, reading a cookie too", async () => {
    const user = await signUpWith(newClient(gatehouse), tenantKey);
    const middleware = gatehouseMiddleware({ ...middlewareOptions(), cookieName: "gh_at", protect: ["/account"] });
    const nextRequest = (pathname: string, token?: string) => ({
      headers: new Headers(),
      nextUrl: { pathname },
      cookies: { get: (name: string) => (token && name === "gh_at" ? { value: token } : undefined) },
    });
    expect(await middleware(nextRequest("/public"))).toBeUndefined();
    expect(await middleware(nextRequest("/account", user.accessToken))).toBeUndefined();
    const refused = await middleware(nextRequest("/account"));
    expect(refused?.status).toBe(401);
    const unverified = await gatehouseMiddleware({ ...middlewareOptions(), cookieName: "gh_at", allowUnverifiedEmail: false })(
      nextRequest("/account", user.accessToken),
    );
    expect(unverified?.status).toBe(403);
  });
});
